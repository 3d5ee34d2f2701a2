"""End-to-end self-tests: a small real discord.py bot driven through the emulator."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands

from .emulator import DiscordEmulator
from .fixtures import connected_client, running_emulator
from .state import Intent, MessageFlag, Perm, PermissionOverwrite


class EchoBot(discord.Client):
    """Throwaway bot exercising the interaction and message paths the real bot uses."""

    def __init__(self, *, message_content: bool = False, members: bool = False) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        intents.members = members
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.seen: list[discord.Message] = []
        self.release = asyncio.Event()
        self._register()

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Echo text back")
        @app_commands.describe(text="What to echo", private="Only you see it", safe="No pings")
        async def echo(
            interaction: discord.Interaction, text: str, private: bool = False, safe: bool = False
        ) -> None:
            mentions = discord.AllowedMentions.none() if safe else discord.utils.MISSING
            await interaction.response.send_message(
                f"echo: {text}", ephemeral=private, allowed_mentions=mentions
            )

        @tree.command(description="Defer, then answer with two followups")
        async def slow(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            await interaction.followup.send(f"slow: {text}")
            await interaction.followup.send("and one more thing")

        @tree.command(description="Defer and wait for the test to release it")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await self.release.wait()
            await interaction.edit_original_response(content="finally")

        @tree.command(description="Answers too late")
        async def sleepy(interaction: discord.Interaction) -> None:
            await asyncio.sleep(3.5)
            await interaction.response.send_message("too late")

        @tree.command(description="Admins only")
        @app_commands.default_permissions(administrator=True)
        @app_commands.guild_only()
        async def admin(interaction: discord.Interaction) -> None:
            if not interaction.permissions.administrator:
                await interaction.response.send_message("not allowed", ephemeral=True)
                return
            await interaction.response.send_message("admin ok", ephemeral=True)

        @tree.command(description="Sends an oversized embed")
        async def big(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Too long", description="x" * 5000)
            await interaction.response.send_message(embed=embed)

        @tree.command(description="Pick a topic")
        async def topic(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"topic: {name}")

        @topic.autocomplete("name")
        async def topic_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            names = ["politics", "science", "sport"]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

        @tree.command(description="Posts a button")
        async def button(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None)
            press = discord.ui.Button(label="Press", custom_id="press")

            async def pressed(inter: discord.Interaction) -> None:
                await inter.response.edit_message(content="pressed", view=None)

            press.callback = pressed
            view.add_item(press)
            await interaction.response.send_message("press me", view=view)

        @tree.command(description="Uploads a report file")
        async def report(interaction: discord.Interaction) -> None:
            data = io.BytesIO(b"quote,source\n")
            await interaction.response.send_message(
                "report attached", file=discord.File(data, filename="report.csv")
            )

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"quoted: {message.content}")

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before a re-IDENTIFY (a documented override point)."""

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        self.seen.append(message)
        if message.guild is None:
            await message.channel.send(f"dm echo: {message.content}")
        elif self.user is not None and self.user in message.mentions:
            await message.reply(f"you said: {message.content}")


class ShardedEchoBot(discord.AutoShardedClient):
    """Minimal auto-sharded bot with one command."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="Which shard am I on?")
        async def shard(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            await interaction.response.send_message(f"shard {interaction.guild.shard_id}")

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause between shard IDENTIFYs (a documented override point)."""


@dataclass
class World:
    """A guild with an admin and a regular member."""

    guild_id: int
    channel_id: int
    admin_id: int
    user_id: int


def build_world(emu: DiscordEmulator) -> World:
    """Create a guild, a text channel, one admin and one ordinary member."""
    guild = emu.add_guild("Newsroom")
    admin = emu.add_user("editor")
    user = emu.add_user("reader")
    emu.add_member(guild.id, admin.id, administrator=True)
    emu.add_member(guild.id, user.id)
    return World(guild.id, emu.default_channel(guild.id).id, admin.id, user.id)


# ------------------------------------------------------------------ login and commands


async def test_login_and_sync_are_recorded(emu: DiscordEmulator) -> None:
    """Login hits /users/@me and the app endpoint, then the command PUT is stored as sent."""
    build_world(emu)
    async with connected_client(emu, EchoBot()):
        order = [f"{r.method} {r.path}" for r in emu.requests[:3]]
        assert order == [
            "GET /users/@me",
            "GET /oauth2/applications/@me",
            f"PUT /applications/{emu.app_id}/commands",
        ]
        sent = {c["name"]: c for c in emu.command_puts[0].body}
        assert sent["echo"]["options"][0] == {
            "type": 3,
            "name": "text",
            "description": "What to echo",
            "required": True,
        }
        echo = emu.registered_command("echo")
        assert [o["name"] for o in echo["options"]] == ["text", "private", "safe"]
        assert echo["default_member_permissions"] is None
        admin = emu.registered_command("admin")
        assert admin["default_member_permissions"] == "8"
        assert admin["contexts"] == [0]
        assert emu.registered_command("Quote", type=3)["type"] == 3


async def test_invalid_command_put_is_rejected(emu: DiscordEmulator) -> None:
    """A bad command name gets 400 Invalid Form Body and is recorded."""
    emu.expect_violation("invalid_command")
    url = f"{emu.api_base}/applications/{emu.app_id}/commands"
    body = [{"name": "Bad Name", "description": "x", "type": 1}]
    headers = {"Authorization": f"Bot {emu.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.put(url, json=body, headers=headers) as resp,
    ):
        assert resp.status == 400
        assert resp.headers["Content-Type"] == "application/json"
        data = await resp.json()
    assert data["code"] == 50035
    assert "APPLICATION_COMMAND_INVALID_NAME" in json.dumps(data["errors"])
    assert emu.violations_of("invalid_command")


# ------------------------------------------------------------------ interactions


async def test_slash_defer_then_followups(emu: DiscordEmulator) -> None:
    """Defer + followup: the first followup edits the loading message, the second is new."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        result = await emu.invoke_slash(
            "slow", {"text": "hi"}, user_id=world.user_id, guild_id=world.guild_id
        )
        ack = await result.ack()
        assert ack.type == 5
        reply = await result.reply()
        assert reply.content == "slow: hi"
        assert reply.id == result.original_message_id
        assert not reply.loading
        followups = await result.wait_followups(1)
        assert [m.content for m in followups] == ["and one more thing"]
        assert result.ack_seconds is not None
        assert result.reply_seconds is not None
        assert 0 <= result.ack_seconds <= result.reply_seconds < 3


async def test_ephemeral_response_flag(emu: DiscordEmulator) -> None:
    """ephemeral=True sets flag 64 and pings nobody."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        result = await emu.invoke_slash(
            "echo",
            {"text": f"<@{world.admin_id}>", "private": True},
            user_id=world.user_id,
            guild_id=world.guild_id,
        )
        reply = await result.reply()
        assert result.callback is not None
        assert result.callback.type == 4
        assert reply.flags & MessageFlag.EPHEMERAL
        assert result.ephemeral
        assert emu.would_ping(reply) == set()


async def test_three_second_deadline_rejected(emu: DiscordEmulator) -> None:
    """A callback after 3 s gets 404 Unknown interaction (10062) and is recorded."""
    world = build_world(emu)
    emu.expect_violation("interaction_deadline")
    emu.expect_log_error("10062")
    async with connected_client(emu, EchoBot()):
        result = await emu.invoke_slash("sleepy", user_id=world.user_id, guild_id=world.guild_id)
        rejected = await result.rejection(timeout=6)
        assert rejected.status == 404
        assert rejected.error == {"code": 10062}
        assert not result.acked
        violation = await emu.wait_for_violation("interaction_deadline")
        assert "Unknown interaction" in violation.message
        assert "NotFound" in await emu.wait_for_log_error("10062")


async def test_admin_command_delivery_and_override(emu: DiscordEmulator) -> None:
    """default_member_permissions hides the command; a server override delivers it."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        hidden = await emu.invoke_slash("admin", user_id=world.user_id, guild_id=world.guild_id)
        assert not hidden.delivered
        assert "default_member_permissions" in (hidden.not_delivered_reason or "")
        with pytest.raises(AssertionError, match="not delivered"):
            await hidden.ack()

        ok = await emu.invoke_slash("admin", user_id=world.admin_id, guild_id=world.guild_id)
        assert (await ok.reply()).content == "admin ok"

        in_dm = await emu.invoke_slash("admin", user_id=world.admin_id)
        assert not in_dm.delivered

        emu.allow_command_for_everyone(world.guild_id, "admin")
        refused = await emu.invoke_slash("admin", user_id=world.user_id, guild_id=world.guild_id)
        assert refused.delivered
        assert (await refused.reply()).content == "not allowed"


async def test_autocomplete_choices(emu: DiscordEmulator) -> None:
    """Autocomplete interactions get a type 8 callback with filtered choices."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        result = await emu.invoke_autocomplete(
            "topic", "name", "s", user_id=world.user_id, guild_id=world.guild_id
        )
        choices = await result.choices()
        assert [c["value"] for c in choices] == ["science", "sport"]


async def test_message_context_and_component(emu: DiscordEmulator) -> None:
    """Message commands get resolved messages; buttons round-trip through UPDATE_MESSAGE."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        said = await emu.send_channel_message(world.channel_id, world.user_id, "quotable words")
        quoted = await emu.invoke_message_context("Quote", said, user_id=world.user_id)
        assert (await quoted.reply()).content == "quoted: quotable words"

        posted = await emu.invoke_slash("button", user_id=world.user_id, guild_id=world.guild_id)
        message = await posted.reply()
        assert message.components[0]["components"][0]["custom_id"] == "press"
        clicked = await emu.invoke_component(message, "press", user_id=world.user_id)
        assert (await clicked.ack()).type == 7
        updated = await clicked.reply()
        assert updated.id == message.id
        assert updated.content == "pressed"
        assert updated.components == []


async def test_expired_token_rejects_followup(emu: DiscordEmulator) -> None:
    """After the token expires, editing the response gets 401 Invalid Webhook Token."""
    world = build_world(emu)
    emu.expect_violation("expired_token")
    emu.expect_log_error("50027")
    async with connected_client(emu, EchoBot()) as bot:
        result = await emu.invoke_slash("later", user_id=world.user_id, guild_id=world.guild_id)
        await result.ack()
        emu.expire_interaction_token(result)
        bot.release.set()
        violation = await emu.wait_for_violation("expired_token")
        assert violation.details["code"] == 50027
        assert result.original is not None
        assert result.original.loading


# ------------------------------------------------------------------ messages


async def test_dm_round_trip(emu: DiscordEmulator) -> None:
    """A DM reaches on_message with content and the bot's answer is stored."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()) as bot:
        sent = await emu.send_dm(world.user_id, "hello bot")
        [answer] = await emu.wait_for_messages(sent.channel_id, after=sent)
        assert answer.content == "dm echo: hello bot"
        assert bot.seen[-1].content == "hello bot"


async def test_guild_mention_reply_and_content_intent(emu: DiscordEmulator) -> None:
    """Without the content intent only mentions carry content; replies reference the question."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()) as bot:
        await emu.send_channel_message(world.channel_id, world.user_id, "no mention here")
        question = await emu.send_channel_message(
            world.channel_id, world.user_id, "what happened?", mention_bot=True
        )
        [answer] = await emu.wait_for_messages(world.channel_id, after=question)
        assert [m.content for m in bot.seen] == ["", f"<@{emu.bot.id}> what happened?"]
        assert answer.message_reference is not None
        assert answer.message_reference["message_id"] == str(question.id)
        # message.reply() without allowed_mentions pings the replied-to author.
        assert emu.would_ping(answer) == {world.user_id}


async def test_content_intent_granted_and_disallowed() -> None:
    """The content intent needs the portal switch: 4014 without it, full content with it."""
    async with running_emulator() as emu:
        build_world(emu)
        with pytest.raises(AssertionError) as failure:
            async with connected_client(emu, EchoBot(message_content=True), timeout=5):
                pass
        assert isinstance(failure.value.__cause__, discord.PrivilegedIntentsRequired)
        assert emu.gateway_log("identify_rejected")

    async with running_emulator(privileged_intents=Intent.MESSAGE_CONTENT) as emu:
        world = build_world(emu)
        async with connected_client(emu, EchoBot(message_content=True)) as bot:
            seen = asyncio.ensure_future(bot.wait_for("message", timeout=5))
            await emu.send_channel_message(world.channel_id, world.user_id, "plain words")
            assert (await seen).content == "plain words"


async def test_would_ping_respects_allowed_mentions(emu: DiscordEmulator) -> None:
    """Default allowed mentions ping mentioned users; AllowedMentions.none() pings nobody."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        text = f"<@{world.admin_id}> @everyone look"
        loud = await emu.invoke_slash(
            "echo", {"text": text}, user_id=world.user_id, guild_id=world.guild_id
        )
        # The bot lacks MENTION_EVERYONE, so only the user mention pings.
        assert emu.would_ping(await loud.reply()) == {world.admin_id}
        quiet = await emu.invoke_slash(
            "echo", {"text": text, "safe": True}, user_id=world.user_id, guild_id=world.guild_id
        )
        reply = await quiet.reply()
        assert reply.allowed_mentions == {"parse": []}
        assert emu.would_ping(reply) == set()


async def test_embed_limit_violation_detected(emu: DiscordEmulator) -> None:
    """A 5000 character embed description gets 400 50035 and is recorded."""
    world = build_world(emu)
    emu.expect_violation("invalid_form_body")
    emu.expect_log_error("Invalid Form Body")
    async with connected_client(emu, EchoBot()):
        result = await emu.invoke_slash("big", user_id=world.user_id, guild_id=world.guild_id)
        rejected = await result.rejection()
        assert rejected.status == 400
        violation = await emu.wait_for_violation("invalid_form_body")
        description = violation.details["errors"]["data"]["embeds"]["0"]["description"]
        assert description["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
        await emu.wait_for_log_error("Invalid Form Body")


# ------------------------------------------------------------------ faults


async def test_rate_limit_is_retried(emu: DiscordEmulator) -> None:
    """Injected 429s are honoured by discord.py and the answers still arrive."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        callback_rule = emu.inject_rate_limit(
            "POST", r"^/interactions/\d+/[^/]+/callback$", retry_after=0.2
        )
        result = await emu.invoke_slash(
            "echo", {"text": "after 429"}, user_id=world.user_id, guild_id=world.guild_id
        )
        assert (await result.reply()).content == "echo: after 429"
        assert callback_rule.hits == 1
        assert len(emu.requests_matching("POST", r"/callback$")) == 2

        dm_rule = emu.inject_rate_limit(
            "POST", r"^/channels/\d+/messages$", retry_after=0.2, with_headers=True
        )
        sent = await emu.send_dm(world.user_id, "still there?")
        [answer] = await emu.wait_for_messages(sent.channel_id, after=sent)
        assert answer.content == "dm echo: still there?"
        assert dm_rule.hits == 1


async def test_reconnect_and_resume(emu: DiscordEmulator) -> None:
    """op 7 and dropped sockets lead to RESUME on resume_gateway_url; nothing is lost."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        assert await emu.gateway_reconnect_request() == 1
        [resume] = await emu.wait_for_gateway("resume")
        assert resume.detail["path"] == "/resume-gateway"

        assert await emu.gateway_hard_close(1006) == 1
        # Asked while the bot is disconnected: replayed after RESUME.
        result = await emu.invoke_slash(
            "echo", {"text": "while away"}, user_id=world.user_id, guild_id=world.guild_id
        )
        await emu.wait_for_gateway("resume", 2)
        assert (await result.reply()).content == "echo: while away"

        assert await emu.gateway_hard_close(4000) == 1
        await emu.wait_for_gateway("resume", 3)
        again = await emu.invoke_slash(
            "echo", {"text": "back"}, user_id=world.user_id, guild_id=world.guild_id
        )
        assert (await again.reply()).content == "echo: back"
        assert len(emu.gateway_log("identify")) == 1


async def test_invalid_session_reidentifies(emu: DiscordEmulator) -> None:
    """op 9 (not resumable) makes the client IDENTIFY again."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        await emu.gateway_invalidate_session(resumable=False)
        await emu.wait_for_gateway("ready", 2)
        await emu.wait_until_ready()
        result = await emu.invoke_slash(
            "echo", {"text": "new session"}, user_id=world.user_id, guild_id=world.guild_id
        )
        assert (await result.reply()).content == "echo: new session"


async def test_two_shards() -> None:
    """GET /gateway/bot recommends 2 shards; each shard only gets its own guild."""
    async with running_emulator(recommended_shards=2) as emu:
        user = emu.add_user("reader")
        guilds = [emu.add_guild(f"G{i}", guild_id=emu.new_guild_id(i, 2)) for i in (0, 1)]
        for guild in guilds:
            emu.add_member(guild.id, user.id)
        async with connected_client(emu, ShardedEchoBot()):
            ready = {e.shard: e.detail["guild_ids"] for e in emu.gateway_log("ready")}
            assert ready == {(0, 2): [guilds[0].id], (1, 2): [guilds[1].id]}
            for index, guild in enumerate(guilds):
                result = await emu.invoke_slash("shard", user_id=user.id, guild_id=guild.id)
                assert (await result.reply()).content == f"shard {index}"


async def test_unhandled_route_and_bad_token_are_reported() -> None:
    """Unknown routes get 404 JSON and are listed as problems; a bad token gets 401."""
    async with DiscordEmulator() as emu:
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bot {emu.token}"}
            async with session.get(f"{emu.api_base}/guilds/1/bans", headers=headers) as resp:
                assert resp.status == 404
                assert resp.headers["Content-Type"] == "application/json"
                assert (await resp.json())["message"] == "404: Not Found"
            async with session.get(
                f"{emu.api_base}/users/@me", headers={"Authorization": "Bot nope"}
            ) as resp:
                assert resp.status == 401
        assert emu.unhandled == ["GET /guilds/1/bans"]
        with pytest.raises(AssertionError, match="unhandled route"):
            emu.assert_clean()


async def test_fixture_fails_on_bot_exception() -> None:
    """An exception inside a command (only logged by discord.py) fails running_emulator."""

    async def run_failing_bot() -> None:
        async with running_emulator(allow_violations=["invalid_form_body"]) as emu:
            world = build_world(emu)
            async with connected_client(emu, EchoBot()):
                await emu.invoke_slash("big", user_id=world.user_id, guild_id=world.guild_id)
                await emu.wait_for_log_error("Invalid Form Body")

    with pytest.raises(AssertionError, match="discord logged an error") as failure:
        await run_failing_bot()
    assert "Ignoring exception in command 'big'" in str(failure.value)


async def test_slash_in_dm_and_file_upload(emu: DiscordEmulator) -> None:
    """Slash commands work in DMs (user, not member) and multipart uploads are stored."""
    world = build_world(emu)
    async with connected_client(emu, EchoBot()):
        in_dm = await emu.invoke_slash("echo", {"text": "private chat"}, user_id=world.user_id)
        reply = await in_dm.reply()
        assert reply.content == "echo: private chat"
        assert in_dm.guild_id is None
        assert "user" in in_dm.payload
        assert "member" not in in_dm.payload
        assert reply.channel_id == emu.dm_channel_for(world.user_id).id

        uploaded = await emu.invoke_slash("report", user_id=world.user_id, guild_id=world.guild_id)
        message = await uploaded.reply()
        assert [a["filename"] for a in message.attachments] == ["report.csv"]
        assert message.files["report.csv"] == b"quote,source\n"


async def test_missing_send_permission_is_403(emu: DiscordEmulator) -> None:
    """Replying where the bot may not send gets 403 Missing Permissions (50013)."""
    world = build_world(emu)
    emu.expect_violation("missing_permissions")
    emu.expect_log_error("50013")
    deny = PermissionOverwrite(emu.bot_role(world.guild_id).id, 0, deny=int(Perm.SEND_MESSAGES))
    channel = emu.add_text_channel(world.guild_id, "read-only", overwrites=[deny])
    async with connected_client(emu, EchoBot()):
        await emu.send_channel_message(channel.id, world.user_id, "answer me", mention_bot=True)
        violation = await emu.wait_for_violation("missing_permissions")
        assert violation.details["code"] == 50013
        await emu.wait_for_log_error("Missing Permissions")
        assert emu.messages(channel.id, author_id=emu.bot.id) == []


async def test_member_chunking_with_members_intent() -> None:
    """With the members intent granted, discord.py chunks guilds via op 8 at startup."""
    async with running_emulator(privileged_intents=Intent.GUILD_MEMBERS) as emu:
        world = build_world(emu)
        bot = EchoBot(members=True)
        async with connected_client(emu, bot):
            guild = bot.get_guild(world.guild_id)
            assert guild is not None
            assert {m.id for m in guild.members} >= {world.user_id, world.admin_id, emu.bot.id}
