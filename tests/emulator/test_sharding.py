"""Self-tests for sharding: /gateway/bot, IDENTIFY checks, and routing events per shard.

Two discord.py clients, each serving one shard of two, play two bot processes.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from .emulator import DiscordEmulator
from .fixtures import connected_client, running_emulator
from .gateway import CLOSE_INVALID_SHARD, CLOSE_SHARDING_REQUIRED, OP_HELLO, OP_IDENTIFY
from .state import Intent


class ShardProcess(discord.AutoShardedClient):
    """One process of a sharded bot: serves ``shard_ids`` of ``shard_count``."""

    def __init__(self, shard_ids: list[int], shard_count: int) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            shard_ids=shard_ids,
            shard_count=shard_count,
            guild_ready_timeout=0.05,
        )
        self.tree = app_commands.CommandTree(self)
        self.handled: list[str] = []

        @self.tree.command(description="Which process answers?")
        async def where(interaction: discord.Interaction) -> None:
            self.handled.append(f"slash {interaction.guild_id}")
            await interaction.response.send_message(f"process {self.shard_ids}")

    async def setup_hook(self) -> None:
        if 0 in (self.shard_ids or []):  # one process registers the commands
            await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.id == self.user.id:
            return
        self.handled.append(f"message {message.guild.id if message.guild else 'DM'}")
        await message.channel.send(f"process {self.shard_ids}")


async def test_gateway_bot_reports_the_configured_shard_count() -> None:
    """GET /gateway/bot returns the shard count the emulator is configured with."""
    async with (
        running_emulator(recommended_shards=3) as emu,
        aiohttp.ClientSession() as http,
        http.get(
            f"{emu.api_base}/gateway/bot", headers={"Authorization": f"Bot {emu.token}"}
        ) as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert body["shards"] == 3
    assert body["url"] == emu.gateway_url


async def test_two_processes_each_get_their_own_shard() -> None:
    """Guild events and interactions reach only the shard owning the guild; DMs shard 0."""
    async with running_emulator(recommended_shards=2) as emu:
        user = emu.add_user("reader")
        guilds = [emu.add_guild(f"G{i}", guild_id=emu.new_guild_id(i, 2)) for i in (0, 1)]
        for guild in guilds:
            emu.add_member(guild.id, user.id)
        first, second = ShardProcess([0], 2), ShardProcess([1], 2)
        async with connected_client(emu, first), connected_client(emu, second):
            identify = {s.shard: s.identify["shard"] for s in emu.sessions()}
            assert identify == {(0, 2): [0, 2], (1, 2): [1, 2]}
            ready = {e.shard: e.detail["guild_ids"] for e in emu.gateway_log("ready")}
            assert ready == {(0, 2): [guilds[0].id], (1, 2): [guilds[1].id]}
            assert [g.id for g in first.guilds] == [guilds[0].id]
            assert [g.id for g in second.guilds] == [guilds[1].id]
            assert len(emu.command_puts) == 1  # only shard 0's process synced

            for process, guild in zip((first, second), guilds, strict=True):
                result = await emu.invoke_slash("where", user_id=user.id, guild_id=guild.id)
                assert (await result.reply()).content == f"process {process.shard_ids}"
            channel = emu.default_channel(guilds[1].id).id
            posted = await emu.send_channel_message(channel, user.id, "hello shard one")
            (reply,) = await emu.wait_for_messages(channel, after=posted)
            assert reply.content == f"process {second.shard_ids}"
            posted = await emu.send_dm(user.id, "hello in private")
            (reply,) = await emu.wait_for_messages(posted.channel_id, after=posted)
            assert reply.content == f"process {first.shard_ids}"

            by_shard = {s.shard: s for s in emu.sessions()}
            for shard, guild in zip(((0, 2), (1, 2)), guilds, strict=True):
                got = by_shard[shard].received("INTERACTION_CREATE")
                assert [int(d["guild_id"]) for d in got] == [guild.id]
            dms = [d for d in by_shard[(0, 2)].received("MESSAGE_CREATE") if "guild_id" not in d]
            assert [d["content"] for d in dms if d["author"]["id"] == str(user.id)] == [
                "hello in private"
            ]
            assert not [
                d for d in by_shard[(1, 2)].received("MESSAGE_CREATE") if "guild_id" not in d
            ]
        assert first.handled == [f"slash {guilds[0].id}", "message DM"]
        assert second.handled == [f"slash {guilds[1].id}", f"message {guilds[1].id}"]


async def identify_raw(emu: DiscordEmulator, shard: Any) -> tuple[int | None, dict[str, Any]]:
    """IDENTIFY over a bare websocket; returns (close code or None, first dispatch)."""
    payload: dict[str, Any] = {
        "token": f"Bot {emu.token}",
        "intents": int(Intent.GUILDS),
        "properties": {"os": "linux", "browser": "test", "device": "test"},
    }
    if shard is not None:
        payload["shard"] = shard
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{emu.gateway_url}?v=10&encoding=json") as ws,
    ):
        hello = json.loads((await ws.receive()).data)
        assert hello["op"] == OP_HELLO
        await ws.send_str(json.dumps({"op": OP_IDENTIFY, "d": payload}))
        message = await ws.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            return None, json.loads(message.data)
        return ws.close_code, {}


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 2], [0], "0,2", [0.0, 2]])
async def test_invalid_shard_is_closed_with_4010(shard: Any) -> None:
    """IDENTIFY with a shard outside [0, count) or malformed is closed with 4010."""
    async with running_emulator() as emu:
        code, _ = await identify_raw(emu, shard)
    assert code == CLOSE_INVALID_SHARD


async def test_too_many_guilds_on_one_session_requires_sharding() -> None:
    """Past the per-session guild limit, unsharded IDENTIFY gets 4011; two shards fit."""
    async with running_emulator() as emu:
        emu.gateway.max_guilds_per_session = 1
        for shard_id in (0, 1):
            emu.add_guild(f"G{shard_id}", guild_id=emu.new_guild_id(shard_id, 2))
        code, _ = await identify_raw(emu, None)
        assert code == CLOSE_SHARDING_REQUIRED
        assert emu.gateway_log("identify_rejected")[0].detail["guilds"] == 2
        code, ready = await identify_raw(emu, [1, 2])
        assert code is None
        assert ready["t"] == "READY"
        assert ready["d"]["shard"] == [1, 2]
        assert len(ready["d"]["guilds"]) == 1
