"""Self-tests for context menus, buttons, autocomplete results and attachment options."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from .emulator import DiscordEmulator
from .fixtures import connected_client
from .validation import FormErrors, validate_choices, validate_message_body


def _row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


def _button(custom_id: str, label: str = "b") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


class WidgetBot(discord.Client):
    """A throwaway bot with a user command, an upload command, buttons and autocomplete."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.choice_count = 3
        self.choice_name = "choice"
        tree = self.tree

        @tree.context_menu(name="Who")
        async def who(interaction: discord.Interaction, user: discord.User) -> None:
            kind = "member" if isinstance(user, discord.Member) else "user"
            await interaction.response.send_message(f"{kind}: {user.name}", ephemeral=True)

        @tree.command(description="Upload a file")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(
                f"{file.filename}: {file.size} bytes, {data.decode()!r}"
            )

        @tree.command(description="Buttons")
        async def panel(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None)
            for custom_id in ("private", "quiet", "swap"):
                button = discord.ui.Button(label=custom_id, custom_id=custom_id)
                button.callback = self._pressed  # type: ignore[method-assign]
                view.add_item(button)
            await interaction.response.send_message("panel", view=view)

        @tree.command(description="Pick")
        async def pick(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @pick.autocomplete("name")
        async def pick_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=self.choice_name, value=f"v{i}")
                for i in range(self.choice_count)
            ]

    async def _pressed(self, interaction: discord.Interaction) -> None:
        custom_id = (interaction.data or {}).get("custom_id")
        if custom_id == "private":
            await interaction.response.send_message("only you", ephemeral=True)
        elif custom_id == "quiet":
            await interaction.response.defer()  # type 6
            await interaction.edit_original_response(content="edited after a deferred update")
        else:
            await interaction.response.edit_message(content="swapped", view=None)  # type 7

    async def setup_hook(self) -> None:
        await self.tree.sync()


def _world(emu: DiscordEmulator) -> tuple[int, int, int]:
    guild = emu.add_guild("Newsroom")
    alice = emu.add_user("alice")
    bob = emu.add_user("bob")
    emu.add_member(guild.id, alice.id)
    emu.add_member(guild.id, bob.id)
    return guild.id, alice.id, bob.id


async def test_user_context_menu_resolves_member_and_user(emu: DiscordEmulator) -> None:
    """A user command gets the target as a member in a server and as a user in DMs."""
    guild_id, alice, bob = _world(emu)
    async with connected_client(emu, WidgetBot()):
        in_guild = await emu.invoke_user_context("Who", bob, user_id=alice, guild_id=guild_id)
        assert in_guild.payload["data"]["type"] == 2
        assert str(bob) in in_guild.payload["data"]["resolved"]["members"]
        assert (await in_guild.reply()).content == "member: bob"
        in_dm = await emu.invoke_user_context("Who", bob, user_id=alice)
        assert (await in_dm.reply()).content == "user: bob"


async def test_attachment_option_is_downloadable(emu: DiscordEmulator) -> None:
    """An attachment option is in resolved.attachments and its URL serves the bytes."""
    guild_id, alice, _ = _world(emu)
    async with connected_client(emu, WidgetBot()):
        result = await emu.invoke_slash(
            "upload",
            {"file": {"filename": "a.txt", "data": b"hello", "content_type": "text/plain"}},
            user_id=alice,
            guild_id=guild_id,
        )
        assert (await result.reply()).content == "a.txt: 5 bytes, 'hello'"
        (attachment,) = result.payload["data"]["resolved"]["attachments"].values()
        assert emu.cdn_downloads == [int(attachment["id"])]
        async with aiohttp.ClientSession() as session:
            wrong = attachment["url"].rsplit("/", 1)[0] + "/other.txt"
            async with session.get(wrong) as response:
                assert response.status == 404


async def test_attachment_over_the_upload_limit_cannot_be_sent() -> None:
    """The Discord client refuses an attachment over the upload limit."""
    emu = DiscordEmulator(attachment_size_limit=4)
    guild_id, alice, _ = _world(emu)
    await emu.start()
    try:
        emu.store_command_put(
            None,
            [
                {
                    "name": "upload",
                    "description": "d",
                    "options": [{"type": 11, "name": "file", "description": "f", "required": True}],
                }
            ],
        )
        with pytest.raises(ValueError, match="refuses files over 4 bytes"):
            await emu.invoke_slash(
                "upload",
                {"file": {"filename": "a.txt", "data": b"hello"}},
                user_id=alice,
                guild_id=guild_id,
            )
    finally:
        await emu.close()


async def test_button_callbacks_ephemeral_deferred_update_and_update(emu: DiscordEmulator) -> None:
    """Buttons answer with an ephemeral message (4), a deferred update (6) or an update (7)."""
    guild_id, alice, bob = _world(emu)
    async with connected_client(emu, WidgetBot()):
        posted = await emu.invoke_slash("panel", user_id=alice, guild_id=guild_id)
        panel = await posted.reply()

        private = await emu.invoke_component(panel, "private", user_id=bob)
        reply = await private.reply()
        assert (private.callback.type, reply.ephemeral, reply.content) == (4, True, "only you")
        assert reply.id != panel.id

        quiet = await emu.invoke_component(panel, "quiet", user_id=alice)
        assert (await quiet.ack()).type == 6
        edited = await quiet.reply()
        assert (edited.id, edited.content) == (panel.id, "edited after a deferred update")

        swap = await emu.invoke_component(panel, "swap", user_id=alice)
        assert (await swap.ack()).type == 7
        assert (await swap.reply()).components == []


async def test_buttons_in_dms_only_for_the_recipient(emu: DiscordEmulator) -> None:
    """A DM's buttons can be clicked by its recipient, not by anyone else."""
    _, alice, bob = _world(emu)
    async with connected_client(emu, WidgetBot()):
        posted = await emu.invoke_slash("panel", user_id=alice)
        panel = await posted.reply()
        clicked = await emu.invoke_component(panel, "private", user_id=alice)
        assert (await clicked.reply()).content == "only you"
        with pytest.raises(ValueError, match="cannot see DM channel"):
            await emu.invoke_component(panel, "private", user_id=bob)


@pytest.mark.parametrize(
    ("count", "name", "accepted"),
    [(25, "c", True), (26, "c", False), (1, "n" * 100, True), (1, "n" * 101, False)],
)
async def test_autocomplete_result_limits(
    emu: DiscordEmulator, count: int, name: str, accepted: bool
) -> None:
    """At most 25 choices with names of 1-100 characters; more is an invalid callback."""
    guild_id, alice, _ = _world(emu)
    bot = WidgetBot()
    bot.choice_count, bot.choice_name = count, name
    if not accepted:
        emu.expect_violation("invalid_callback")
        emu.expect_log_error("Ignoring exception in autocomplete")
    async with connected_client(emu, bot):
        result = await emu.invoke_autocomplete("pick", "name", "", user_id=alice, guild_id=guild_id)
        if accepted:
            assert len(await result.choices()) == count
        else:
            rejected = await result.rejection()
            assert rejected.status == 400


@pytest.mark.parametrize(
    ("components", "fragment"),
    [
        ([_row(*(_button(f"b{i}") for i in range(6)))], "BASE_TYPE_BAD_LENGTH"),
        ([_row(_button("b", label="x" * 81))], "'label'"),
        ([_row(_button("x" * 101))], "custom_id must be 100"),
        ([_button("not-in-a-row")], "UNION_TYPE_CHOICES"),
    ],
)
def test_component_limits(components: list[dict[str, Any]], fragment: str) -> None:
    """Buttons go in action rows of at most 5; custom_id <= 100 and label <= 80 characters."""
    error = validate_message_body({"content": "x", "components": components})
    assert error is not None
    assert fragment in repr(error.errors)


def test_component_limits_are_inclusive() -> None:
    """Five buttons in a row, a 100-character custom_id and an 80-character label are fine."""
    row = _row(*(_button(f"b{i}") for i in range(4)), _button("y" * 100, label="z" * 80))
    assert validate_message_body({"content": "x", "components": [row]}) is None


@pytest.mark.parametrize(("value", "ok"), [("v" * 100, True), ("v" * 101, False), (7, False)])
def test_autocomplete_string_values(value: Any, ok: bool) -> None:
    """String choices need a string value of at most 100 characters."""
    errors = FormErrors()
    validate_choices(errors, ["choices"], [{"name": "n", "value": value}], 3)
    assert bool(errors) is not ok
