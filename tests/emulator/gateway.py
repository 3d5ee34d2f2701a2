"""Gateway (websocket) side of the emulator: sessions, sequencing, resume and sharding."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .state import KNOWN_INTENTS, PRIVILEGED_INTENTS, shard_of

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

_log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014

#: Discord closes a session that would handle more guilds than this with 4011.
MAX_GUILDS_PER_SESSION = 2500

#: Transform applied per session to a dispatch payload; returning None skips the session.
EventTransform = Callable[["GatewaySession", dict[str, Any]], "dict[str, Any] | None"]

_CLOSE_SENTINEL: dict[str, Any] = {}


@dataclass
class GatewayLogEntry:
    """One notable gateway happening (identify, resume, disconnect, ...)."""

    kind: str
    session_id: str | None
    shard: tuple[int, int] | None
    detail: dict[str, Any] = field(default_factory=dict)


class GatewayConnection:
    """One websocket connection; owns an ordered writer task."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.session: GatewaySession | None = None
        #: Set when the emulator (not the client) closed the socket.
        self.closed_by_server = False
        self._compressor = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop(), name="emulator-gateway-writer")

    def send(self, payload: dict[str, Any]) -> None:
        """Queue ``payload`` for sending (order is preserved)."""
        self._queue.put_nowait(payload)

    async def _write_loop(self) -> None:
        while True:
            payload = await self._queue.get()
            if payload is _CLOSE_SENTINEL:
                return
            text = json.dumps(payload, separators=(",", ":"))
            try:
                if self._compressor is not None:
                    data = self._compressor.compress(text.encode())
                    data += self._compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def flush(self) -> None:
        """Wait until everything queued so far has been written (or the socket died)."""
        self._queue.put_nowait(_CLOSE_SENTINEL)
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def stop_writer(self) -> None:
        """Cancel the writer task."""
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


@dataclass
class GatewaySession:
    """A gateway session (survives disconnects until invalidated)."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    identify: dict[str, Any]
    seq: int = 0
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=5000))
    conn: GatewayConnection | None = None
    invalidated: bool = False
    ready: bool = False
    resumes: int = 0
    presence: dict[str, Any] | None = None

    def covers_guild(self, guild_id: int | None) -> bool:
        """Whether events for ``guild_id`` (None = DMs) go to this session's shard."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, count) == shard_id

    def received(self, event: str) -> list[dict[str, Any]]:
        """The ``d`` of each ``event`` dispatched to this session (still in its buffer)."""
        return [p["d"] for p in self.buffer if p["t"] == event]

    def push(self, event: str, data: dict[str, Any]) -> int:
        """Assign a sequence number, buffer for resume, and send if connected."""
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        if self.conn is not None:
            self.conn.send(payload)
        return self.seq


class GatewayServer:
    """Accepts gateway websocket connections and dispatches events to sessions."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.log: list[GatewayLogEntry] = []
        self.heartbeats = 0
        #: Guilds one session may handle; more and IDENTIFY is closed with 4011, as Discord
        #: does from 2,500 (tests lower it to exercise "sharding required").
        self.max_guilds_per_session = MAX_GUILDS_PER_SESSION
        self._background: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ helpers

    def _record(self, kind: str, session: GatewaySession | None, **detail: Any) -> None:
        self.log.append(
            GatewayLogEntry(
                kind,
                session.session_id if session else None,
                session.shard if session else None,
                detail,
            )
        )
        self.emu.notifier.notify()

    def live_sessions(self) -> list[GatewaySession]:
        """Sessions that are not invalidated (connected or resumable)."""
        return [s for s in self.sessions.values() if not s.invalidated]

    def ready_shards(self) -> set[tuple[int, int] | None]:
        """Shards with a connected, ready session."""
        return {s.shard for s in self.live_sessions() if s.ready and s.conn is not None}

    def _select(self, shard_id: int | None) -> list[GatewaySession]:
        sessions = self.live_sessions()
        if shard_id is not None:
            sessions = [s for s in sessions if (s.shard[0] if s.shard else 0) == shard_id]
        return sessions

    # ------------------------------------------------------------------ dispatch

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None,
        intent: int = 0,
        transform: EventTransform | None = None,
    ) -> int:
        """Dispatch ``event`` to every live session covering ``guild_id`` with ``intent``.

        Returns how many sessions received it (disconnected-but-resumable sessions count:
        they will get it replayed on RESUME).
        """
        delivered = 0
        for session in self.live_sessions():
            if not session.ready or not session.covers_guild(guild_id):
                continue
            if intent and not session.intents & intent:
                continue
            payload = copy.deepcopy(data)
            if transform is not None:
                transformed = transform(session, payload)
                if transformed is None:
                    continue
                payload = transformed
            session.push(event, payload)
            delivered += 1
        return delivered

    # ------------------------------------------------------------------ faults

    async def reconnect_request(self, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT to connected sessions; returns how many got it."""
        count = 0
        for session in self._select(shard_id):
            if session.conn is not None:
                session.conn.send({"op": OP_RECONNECT, "d": None})
                self._record("reconnect_request", session)
                count += 1
        return count

    async def invalidate_session(self, *, resumable: bool, shard_id: int | None = None) -> int:
        """Send op 9 INVALID_SESSION (``d`` = resumable) to connected sessions."""
        count = 0
        for session in self._select(shard_id):
            if session.conn is not None:
                if not resumable:
                    session.invalidated = True
                session.conn.send({"op": OP_INVALID_SESSION, "d": resumable})
                self._record("invalidate_session", session, resumable=resumable)
                count += 1
        return count

    async def hard_close(self, code: int = 1006, shard_id: int | None = None) -> int:
        """Drop connected sessions' sockets: 1006 aborts TCP, other codes send a close frame."""
        count = 0
        for session in self._select(shard_id):
            conn = session.conn
            if conn is None:
                continue
            self._record("hard_close", session, code=code)
            conn.closed_by_server = True
            await conn.flush()
            if code == 1006:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                await conn.ws.close(code=code, message=b"emulator hard close")
            count += 1
        return count

    async def close_all(self) -> None:
        """Close every connection (emulator shutdown)."""
        for conn in list(self.connections):
            conn.closed_by_server = True
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"emulator shutting down")
            await conn.stop_writer()

    # ------------------------------------------------------------------ websocket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for a gateway connection."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        query = request.query
        compress = query.get("compress") == "zlib-stream" and self.emu.gateway_compression
        conn = GatewayConnection(ws, request, compress)
        self.connections.add(conn)
        self._record("connect", None, path=request.path, query=dict(query))
        try:
            if query.get("v") != "10":
                await ws.close(code=CLOSE_INVALID_API_VERSION, message=b"Invalid API version")
                return ws
            if query.get("encoding", "json") != "json":
                await ws.close(code=CLOSE_DECODE_ERROR, message=b"Only json encoding is emulated")
                return ws
            conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.emu.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await ws.close(code=CLOSE_DECODE_ERROR, message=b"Binary not supported")
                    break
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=CLOSE_DECODE_ERROR, message=b"Decode error")
                    break
                if not await self._on_frame(conn, frame):
                    break
        finally:
            await self._on_disconnect(conn)
        return ws

    async def _on_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> bool:
        """Handle one client frame; returns False when the connection was closed."""
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            conn.send({"op": OP_HEARTBEAT_ACK})
            return True
        if op == OP_IDENTIFY:
            return await self._identify(conn, data or {})
        if op == OP_RESUME:
            return await self._resume(conn, data or {})
        if conn.session is None:
            await conn.ws.close(code=CLOSE_NOT_AUTHENTICATED, message=b"Not authenticated")
            return False
        if op == OP_PRESENCE_UPDATE:
            conn.session.presence = data
            self._record("presence_update", conn.session, presence=data)
            return True
        if op == OP_REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data or {})
            return True
        if op == OP_VOICE_STATE_UPDATE:
            return True
        await conn.ws.close(code=CLOSE_UNKNOWN_OPCODE, message=b"Unknown opcode")
        return False

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> bool:
        if conn.session is not None:
            await conn.ws.close(code=CLOSE_ALREADY_AUTHENTICATED, message=b"Already authenticated")
            return False
        if data.get("token") not in (self.emu.token, f"Bot {self.emu.token}"):
            await conn.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed")
            return False
        intents = data.get("intents")
        if not isinstance(intents, int) or intents & ~KNOWN_INTENTS:
            await conn.ws.close(code=CLOSE_INVALID_INTENTS, message=b"Invalid intent(s)")
            return False
        if intents & PRIVILEGED_INTENTS & ~self.emu.privileged_intents:
            self._record("identify_rejected", None, intents=intents)
            await conn.ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s)")
            return False
        shard: tuple[int, int] | None = None
        if data.get("shard") is not None:
            raw = data["shard"]
            if (
                not isinstance(raw, list)
                or len(raw) != 2
                or not isinstance(raw[0], int)
                or not isinstance(raw[1], int)
                or raw[1] < 1
                or not 0 <= raw[0] < raw[1]
            ):
                await conn.ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard")
                return False
            shard = (raw[0], raw[1])
        shard_id, shard_count = shard or (0, 1)
        handled = sum(1 for g in self.emu.guild_list() if shard_of(g.id, shard_count) == shard_id)
        if handled > self.max_guilds_per_session:
            self._record("identify_rejected", None, shard=shard, guilds=handled)
            await conn.ws.close(code=CLOSE_SHARDING_REQUIRED, message=b"Sharding required")
            return False
        # A fresh IDENTIFY for the same shard supersedes older sessions.
        for old in self.live_sessions():
            if old.shard == shard and old.conn is None:
                old.invalidated = True
        session = GatewaySession(
            session_id=secrets.token_hex(16), intents=intents, shard=shard, identify=data
        )
        self.sessions[session.session_id] = session
        session.conn = conn
        conn.session = session
        self._record("identify", session, intents=intents, path=conn.path)
        guilds = [g for g in self.emu.guild_list() if session.covers_guild(g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.emu.bot.to_payload(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.emu.resume_gateway_url,
            "application": {"id": str(self.emu.app_id), "flags": self.emu.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["emulator"],
            "auth": {},
            "_trace": ['["discord-emulator"]'],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        session.push("READY", ready)
        for guild in guilds:
            session.push("GUILD_CREATE", self.emu.guild_create_payload(guild))
        session.ready = True
        self._record("ready", session, guild_ids=[g.id for g in guilds])
        return True

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> bool:
        if data.get("token") not in (self.emu.token, f"Bot {self.emu.token}"):
            await conn.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed")
            return False
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalidated:
            self._record("resume_rejected", session, path=conn.path)
            conn.send({"op": OP_INVALID_SESSION, "d": False})
            return True
        if session.conn is not None:
            # The old socket has not been noticed as dead yet: the new one takes over.
            old = session.conn
            old.session = None
            old.closed_by_server = True
            session.conn = None
            closer = asyncio.create_task(old.ws.close(code=4000, message=b"Session taken over"))
            self._background.add(closer)
            closer.add_done_callback(self._background.discard)
        seq = data.get("seq")
        seq = int(seq) if isinstance(seq, int) else 0
        if session.buffer and session.buffer[0]["s"] > seq + 1:
            # Missed events fell out of the buffer: cannot resume.
            session.invalidated = True
            conn.send({"op": OP_INVALID_SESSION, "d": False})
            return True
        session.conn = conn
        conn.session = session
        session.resumes += 1
        replayed = [p for p in session.buffer if p["s"] > seq]
        for payload in replayed:
            conn.send(payload)
        session.push("RESUMED", {"_trace": ['["discord-emulator"]']})
        self._record("resume", session, path=conn.path, seq=seq, replayed=len(replayed))
        return True

    def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.emu.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        user_ids = {int(u) for u in data.get("user_ids") or []}
        query = str(data.get("query") or "")
        limit = int(data.get("limit") or 0)
        members = []
        for member in guild.members.values():
            user = self.emu.users[member.user_id]
            if user_ids and member.user_id not in user_ids:
                continue
            if query and not user.username.lower().startswith(query.lower()):
                continue
            members.append(self.emu.member_payload(guild, member.user_id))
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in user_ids if u not in guild.members],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    async def _on_disconnect(self, conn: GatewayConnection) -> None:
        self.connections.discard(conn)
        await conn.stop_writer()
        session = conn.session
        if session is None or session.conn is not conn:
            return
        session.conn = None
        code = conn.ws.close_code
        # Discord invalidates the session when the client closes with 1000/1001.
        if code in (1000, 1001) and not conn.closed_by_server:
            session.invalidated = True
        self._record("disconnect", session, code=code)
