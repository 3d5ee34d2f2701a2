"""REST side of the emulator: aiohttp routes for the subset of API v10 discord.py uses."""

from __future__ import annotations

import json
import logging
import math
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .interactions import ALLOWED_CALLBACKS, CallbackRecord, CallbackType, InteractionResult
from .state import (
    Channel,
    Guild,
    MessageFlag,
    Perm,
    StoredMessage,
    compute_channel_permissions,
)
from .validation import (
    ApiError,
    FormErrors,
    validate_choices,
    validate_command_list,
    validate_message_body,
)

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with exactly ``Content-Type: application/json`` (no charset).

    discord.py only decodes bodies whose content type is exactly that string.
    """
    all_headers = {"Content-Type": "application/json"}
    if headers:
        all_headers.update(headers)
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    """A 204 response."""
    return web.Response(status=204)


@dataclass
class UploadedFile:
    """A file from a multipart request."""

    field: str
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class RequestRecord:
    """One REST request the emulator received."""

    method: str
    path: str
    query: dict[str, str]
    at: float
    status: int = 0
    body: Any = None
    files: list[str] = field(default_factory=list)


@dataclass
class RateLimitRule:
    """An injected 429 fault."""

    method: str
    pattern: re.Pattern[str]
    remaining: int
    retry_after: float
    is_global: bool = False
    with_headers: bool = False
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request (and still has hits left)."""
        return (
            self.remaining > 0
            and self.method in (method, "*")
            and self.pattern.search(path) is not None
        )

    def response(self) -> web.Response:
        """The 429 response Discord would send."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.is_global,
        }
        if self.is_global:
            body["code"] = 0
        headers = {"Via": "1.1 google", "Retry-After": str(math.ceil(self.retry_after))}
        if self.with_headers:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                    "X-RateLimit-Bucket": "emulator-injected",
                    "X-RateLimit-Scope": "global" if self.is_global else "user",
                }
            )
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        return json_response(body, status=429, headers=headers)


RECORD_KEY = web.RequestKey("emu_record", RequestRecord)


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """Parse a JSON or multipart (payload_json + files[n]) request body."""
    if request.content_type == "multipart/form-data":
        form = await request.post()
        body: Any = {}
        files: list[UploadedFile] = []
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files.append(
                    UploadedFile(key, value.filename, value.file.read(), value.content_type)
                )
            elif key == "payload_json":
                text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
                body = json.loads(text)
        return body, files
    if not request.body_exists:
        return None, []
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError as exc:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc


def _int(value: str, *, code: int = 10003, what: str = "Unknown Channel") -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ApiError(404, code, what) from exc


class RestApi:
    """Builds the aiohttp application and implements the REST routes."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    # ------------------------------------------------------------------ app

    def build_app(self) -> web.Application:
        """Create the aiohttp application (REST + gateway endpoints)."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.emu.gateway.handle)
        app.router.add_get("/resume-gateway", self.emu.gateway.handle)
        app.router.add_get(
            "/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment
        )
        p = API_PREFIX
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/applications/{app_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/commands", self.upsert_command),
            ("GET", "/applications/{app_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{app_id}/commands/{command_id}", self.edit_command),
            ("DELETE", "/applications/{app_id}/commands/{command_id}", self.delete_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/permissions",
                self.list_command_permissions,
            ),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self.upsert_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.get_command,
            ),
            (
                "PATCH",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.edit_command,
            ),
            (
                "DELETE",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.delete_command,
            ),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_channel_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_channel_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_channel_message),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}",
                self.delete_channel_message,
            ),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.add_reaction,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.remove_reaction,
            ),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self.webhook_execute),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_get),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_edit),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_delete),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, p + path, handler)
        app.router.add_route("*", "/{tail:.*}", self.unhandled)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        emu = self.emu
        path = request.path[len(API_PREFIX) :]
        record = RequestRecord(request.method, path, dict(request.query), time.monotonic())
        emu.requests.append(record)
        request[RECORD_KEY] = record
        for rule in emu.rate_limits:
            if rule.matches(request.method, path):
                rule.remaining -= 1
                rule.hits += 1
                record.status = 429
                emu.notifier.notify()
                return rule.response()
        if self._needs_auth(path) and request.headers.get("Authorization") != f"Bot {emu.token}":
            record.status = 401
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        try:
            response = await handler(request)
        except ApiError as err:
            if err.violation:
                emu.record_violation(
                    err.violation,
                    err.message if not err.errors else f"{err.message}: {_flatten(err.errors)}",
                    method=request.method,
                    path=path,
                    details={"code": err.code, "errors": err.errors, "body": record.body},
                )
            response = json_response(err.body(), status=err.status, headers=err.headers)
        except web.HTTPException:
            raise
        except Exception as exc:
            # Never answer 5xx: discord.py would sleep and retry. Surface as a problem.
            emu.emulator_errors.append(
                f"{request.method} {path}: {exc!r}\n{traceback.format_exc()}"
            )
            response = json_response(
                {"message": f"emulator internal error: {exc!r}", "code": 0}, status=400
            )
        record.status = response.status
        emu.notifier.notify()
        return response

    @staticmethod
    def _needs_auth(path: str) -> bool:
        return not (
            path.startswith("/interactions/") or path.startswith("/webhooks/") or path == "/gateway"
        )

    async def unhandled(self, request: web.Request) -> web.Response:
        """Catch-all: 404 JSON and record the route as unimplemented."""
        path = request.path
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :]
        self.emu.unhandled.append(f"{request.method} {path}")
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    # ------------------------------------------------------------------ helpers

    async def _body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        body, files = await read_body(request)
        record = request.get(RECORD_KEY)
        if record is not None:
            record.body = body
            record.files = [f.filename for f in files]
        return body, files

    def _check_app(self, request: web.Request) -> None:
        if request.match_info["app_id"] != str(self.emu.app_id):
            raise ApiError(403, 50001, "Missing Access")

    def _channel(self, request: web.Request) -> Channel:
        channel_id = _int(request.match_info["channel_id"])
        channel = self.emu.channels.get(channel_id)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.guild_id is not None:
            perms = self.emu.bot_permissions_in(channel)
            if not perms & Perm.VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access", violation="missing_access")
        elif channel.recipient_id is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _message_in(self, channel: Channel, raw_id: str) -> StoredMessage:
        msg = self.emu.message_or_none(_int(raw_id, code=10008, what="Unknown Message"))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def _require_channel_perm(self, channel: Channel, perm: Perm) -> None:
        if channel.guild_id is None:
            return
        if not self.emu.bot_permissions_in(channel) & perm:
            raise ApiError(403, 50013, "Missing Permissions", violation="missing_permissions")

    # ------------------------------------------------------------------ users / app

    async def get_me(self, request: web.Request) -> web.Response:
        """GET /users/@me."""
        payload = self.emu.bot.to_payload()
        payload.update({"verified": True, "mfa_enabled": True, "email": None, "locale": "en-US"})
        return json_response(payload)

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{id}."""
        user = self.emu.users.get(
            _int(request.match_info["user_id"], code=10013, what="Unknown User")
        )
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.to_payload())

    async def create_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels."""
        body, _ = await self._body(request)
        try:
            user_id = int((body or {}).get("recipient_id"))
        except (TypeError, ValueError) as exc:
            errors = FormErrors()
            errors.add(["recipient_id"], "BASE_TYPE_REQUIRED", "This field is required")
            raise errors.to_error() from exc
        if user_id not in self.emu.users or user_id == self.emu.bot.id:
            raise ApiError(404, 10013, "Unknown User")
        channel = self.emu.dm_channel_for(user_id)
        return json_response(self.emu.channel_payload(channel))

    async def get_application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me."""
        return json_response(self.emu.application_payload())

    async def get_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway."""
        return json_response({"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot (recommended shard count and session start limits)."""
        return json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # ------------------------------------------------------------------ commands

    def _command_guild(self, request: web.Request) -> int | None:
        self._check_app(request)
        raw = request.match_info.get("guild_id")
        if raw is None:
            return None
        guild_id = _int(raw, code=10004, what="Unknown Guild")
        guild = self.emu.guilds.get(guild_id)
        if guild is None or self.emu.bot.id not in guild.members:
            raise ApiError(403, 50001, "Missing Access", violation="missing_access")
        return guild_id

    async def list_commands(self, request: web.Request) -> web.Response:
        """GET application (guild) commands."""
        guild_id = self._command_guild(request)
        return json_response(self.emu.registered_commands(guild_id))

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT (bulk overwrite) application (guild) commands."""
        guild_id = self._command_guild(request)
        body, _ = await self._body(request)
        error = validate_command_list(body)
        if error is not None:
            raise error
        self.emu.store_command_put(guild_id, body)
        return json_response(self.emu.registered_commands(guild_id))

    async def upsert_command(self, request: web.Request) -> web.Response:
        """POST a single application (guild) command."""
        guild_id = self._command_guild(request)
        body, _ = await self._body(request)
        error = validate_command_list([body])
        if error is not None:
            raise error
        created, cmd = self.emu.upsert_command(guild_id, body)
        return json_response(cmd.payload, status=201 if created else 200)

    def _command(self, request: web.Request) -> tuple[int | None, Any]:
        guild_id = self._command_guild(request)
        command_id = _int(
            request.match_info["command_id"], code=10063, what="Unknown application command"
        )
        cmd = self.emu.command_by_id(command_id, guild_id)
        if cmd is None:
            raise ApiError(404, 10063, "Unknown application command")
        return guild_id, cmd

    async def get_command(self, request: web.Request) -> web.Response:
        """GET a single command."""
        _, cmd = self._command(request)
        return json_response(cmd.payload)

    async def edit_command(self, request: web.Request) -> web.Response:
        """PATCH a single command."""
        guild_id, cmd = self._command(request)
        body, _ = await self._body(request)
        merged = {**cmd.payload, **(body or {})}
        error = validate_command_list([merged])
        if error is not None:
            raise error
        _, updated = self.emu.upsert_command(guild_id, merged)
        return json_response(updated.payload)

    async def delete_command(self, request: web.Request) -> web.Response:
        """DELETE a single command."""
        guild_id, cmd = self._command(request)
        self.emu.delete_command(guild_id, cmd)
        return no_content()

    async def list_command_permissions(self, request: web.Request) -> web.Response:
        """GET guild application command permissions."""
        guild_id = self._command_guild(request)
        assert guild_id is not None
        return json_response(self.emu.command_permissions_payload(guild_id))

    # ------------------------------------------------------------------ channels

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}."""
        return json_response(self.emu.channel_payload(self._channel(request)))

    async def list_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages with limit/before/after/around."""
        channel = self._channel(request)
        self._require_channel_perm(channel, Perm.READ_MESSAGE_HISTORY)
        query = request.query
        limit = max(1, min(100, int(query.get("limit", "50"))))
        msgs = [m for m in self.emu.messages(channel.id) if not m.ephemeral]
        if "before" in query:
            msgs = [m for m in msgs if m.id < int(query["before"])]
            msgs = msgs[-limit:]
        elif "after" in query:
            msgs = [m for m in msgs if m.id > int(query["after"])][:limit]
        elif "around" in query:
            around = int(query["around"])
            older = [m for m in msgs if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in msgs if m.id > around][: limit - len(older)]
            msgs = older + newer
        else:
            msgs = msgs[-limit:]
        return json_response([self.emu.rest_message_payload(m) for m in reversed(msgs)])

    async def get_channel_message(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages/{id}."""
        channel = self._channel(request)
        self._require_channel_perm(channel, Perm.READ_MESSAGE_HISTORY)
        msg = self._message_in(channel, request.match_info["message_id"])
        return json_response(self.emu.rest_message_payload(msg))

    async def create_channel_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages (including replies via message_reference)."""
        channel = self._channel(request)
        self._require_channel_perm(channel, Perm.SEND_MESSAGES)
        if channel.is_dm:
            assert channel.recipient_id is not None
            if not self.emu.users[channel.recipient_id].dms_open:
                raise ApiError(
                    403, 50007, "Cannot send messages to this user", violation="cannot_dm_user"
                )
        body, files = await self._body(request)
        body = body or {}
        if not isinstance(body, dict):
            raise FormErrors().to_error()
        self._check_files(files)
        error = validate_message_body(body, file_count=len(files))
        if error is not None:
            raise error
        if body.get("embeds"):
            self._require_channel_perm(channel, Perm.EMBED_LINKS)
        if files:
            self._require_channel_perm(channel, Perm.ATTACH_FILES)
        self._check_reference(channel, body)
        msg = self.emu.create_message(channel, self.emu.bot.id, body, origin="rest", files=files)
        return json_response(msg.payload)

    def _check_files(self, files: list[UploadedFile]) -> None:
        limit = self.emu.attachment_size_limit
        for f in files:
            if len(f.data) > limit:
                raise ApiError(
                    413, 40005, "Request entity too large", violation="payload_too_large"
                )

    def _check_reference(self, channel: Channel, body: dict[str, Any]) -> None:
        ref = body.get("message_reference")
        if not ref:
            return
        target_id = ref.get("message_id")
        target = self.emu.message_or_none(int(target_id)) if target_id else None
        ok = target is not None and not target.deleted and target.channel_id == channel.id
        if not ok and ref.get("fail_if_not_exists", True):
            errors = FormErrors()
            errors.add(
                ["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
            raise errors.to_error()

    async def edit_channel_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}/messages/{id} (own messages only)."""
        channel = self._channel(request)
        msg = self._message_in(channel, request.match_info["message_id"])
        if msg.author_id != self.emu.bot.id:
            raise ApiError(
                403,
                50005,
                "Cannot edit a message authored by another user",
                violation="edit_foreign_message",
            )
        body, files = await self._body(request)
        body = body or {}
        self._check_files(files)
        error = validate_message_body(
            body, file_count=len(files), is_edit=True, current=msg.payload
        )
        if error is not None:
            raise error
        self.emu.edit_message(msg, body, files=files)
        return json_response(msg.payload)

    async def delete_channel_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{id}/messages/{id}."""
        channel = self._channel(request)
        msg = self._message_in(channel, request.match_info["message_id"])
        if msg.author_id != self.emu.bot.id:
            self._require_channel_perm(channel, Perm.MANAGE_MESSAGES)
        self.emu.delete_message(msg)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/typing."""
        channel = self._channel(request)
        self._require_channel_perm(channel, Perm.SEND_MESSAGES)
        self.emu.typing.append((channel.id, time.monotonic()))
        return no_content()

    async def add_reaction(self, request: web.Request) -> web.Response:
        """PUT own reaction."""
        channel = self._channel(request)
        msg = self._message_in(channel, request.match_info["message_id"])
        self._require_channel_perm(channel, Perm.ADD_REACTIONS)
        self.emu.add_bot_reaction(msg, request.match_info["emoji"])
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        """DELETE own reaction."""
        channel = self._channel(request)
        msg = self._message_in(channel, request.match_info["message_id"])
        self.emu.remove_bot_reaction(msg, request.match_info["emoji"])
        return no_content()

    # ------------------------------------------------------------------ guilds

    def _guild(self, request: web.Request) -> Guild:
        guild = self.emu.guilds.get(
            _int(request.match_info["guild_id"], code=10004, what="Unknown Guild")
        )
        if guild is None or self.emu.bot.id not in guild.members:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}."""
        guild = self._guild(request)
        payload = self.emu.guild_payload(guild)
        if request.query.get("with_counts") in ("true", "True", "1"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = len(guild.members)
        return json_response(payload)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/channels."""
        guild = self._guild(request)
        return json_response(
            [self.emu.channel_payload(self.emu.channels[c]) for c in guild.channel_ids]
        )

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/roles."""
        guild = self._guild(request)
        return json_response([r.to_payload() for r in guild.roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/members/{id}."""
        guild = self._guild(request)
        user_id = _int(request.match_info["user_id"], code=10007, what="Unknown Member")
        if user_id not in guild.members:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(self.emu.member_payload(guild, user_id))

    # ------------------------------------------------------------------ CDN

    async def get_attachment(self, request: web.Request) -> web.StreamResponse:
        """GET /attachments/{channel}/{id}/{filename}: an attachment's bytes (no auth, as
        Discord's CDN); 404 for an unknown id or a file name that does not match."""
        raw_id = request.match_info["attachment_id"]
        entry = self.emu.cdn_files.get(int(raw_id)) if raw_id.isdigit() else None
        if entry is None or entry[0] != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        _, data, content_type = entry
        self.emu.cdn_downloads.append(int(raw_id))
        self.emu.notifier.notify()
        return web.Response(body=data, content_type=content_type.split(";")[0].strip())

    # ------------------------------------------------------------------ interactions

    async def interaction_callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback: the initial response."""
        emu = self.emu
        body, files = await self._body(request)
        now = time.monotonic()
        raw_id = request.match_info["interaction_id"]
        rec = emu.interaction_by_id(int(raw_id)) if raw_id.isdigit() else None
        if rec is None or rec.token != request.match_info["token"]:
            raise ApiError(404, 10062, "Unknown interaction", violation="unknown_interaction")
        body = body or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        if rec.callback is not None:
            self._reject(rec, ctype, data, now, 400, 40060)
            raise ApiError(
                400,
                40060,
                "Interaction has already been acknowledged.",
                violation="interaction_double_ack",
            )
        if rec.token_expired:
            self._reject(rec, ctype, data, now, 404, 10062)
            raise ApiError(404, 10062, "Unknown interaction", violation="expired_token")
        if now - rec.dispatched_at > emu.interaction_deadline:
            # Missing the 3 s deadline invalidates the token for good.
            rec.token_expired = True
            self._reject(rec, ctype, data, now, 404, 10062)
            raise ApiError(404, 10062, "Unknown interaction", violation="interaction_deadline")
        if ctype not in ALLOWED_CALLBACKS.get(rec.type, set()):
            errors = FormErrors()
            errors.add(
                ["type"],
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Callback type {ctype!r} is not valid for interaction type {int(rec.type)}",
            )
            err = errors.to_error()
            err.violation = "invalid_callback"
            self._reject(rec, ctype, data, now, 400, 50035)
            raise err
        self._check_files(files)
        try:
            resource = self._apply_callback(rec, int(ctype), data, files, now)
        except ApiError as err:
            if err.errors is not None and "data" not in err.errors:
                err.errors = {"data": err.errors}  # callback bodies nest the message in "data"
            self._reject(rec, ctype, data, now, err.status, err.code)
            raise
        rec.callback = CallbackRecord(int(ctype), data, now, 200 if resource else 204)
        emu.notifier.notify()
        with_response = request.query.get("with_response", "").lower() in ("1", "true")
        if not with_response:
            return no_content()
        original = rec.original
        interaction_obj: dict[str, Any] = {"id": str(rec.id), "type": int(rec.type)}
        if original is not None and ctype in (4, 5):
            interaction_obj.update(
                response_message_id=str(original.id),
                response_message_loading=original.loading,
                response_message_ephemeral=original.ephemeral,
            )
        resource_obj: dict[str, Any] = {"type": int(ctype)}
        if ctype in (4, 7) and original is not None:
            resource_obj["message"] = original.payload
        return json_response({"interaction": interaction_obj, "resource": resource_obj})

    def _reject(
        self, rec: InteractionResult, ctype: Any, data: Any, now: float, status: int, code: int
    ) -> None:
        rec.rejected_callbacks.append(
            CallbackRecord(
                int(ctype) if isinstance(ctype, int) else -1,
                data if isinstance(data, dict) else None,
                now,
                status,
                {"code": code},
            )
        )

    def _apply_callback(
        self,
        rec: InteractionResult,
        ctype: int,
        data: dict[str, Any],
        files: list[UploadedFile],
        now: float,
    ) -> bool:
        """Validate and apply an accepted callback; returns whether a body is returned."""
        emu = self.emu
        channel = emu.channels[rec.channel_id]
        if ctype == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE:
            error = validate_message_body(data, file_count=len(files), allow_ephemeral=True)
            if error is not None:
                raise error
            msg = emu.create_message(
                channel,
                emu.bot.id,
                data,
                origin="interaction_response",
                files=files,
                interaction=rec,
            )
            rec.original_message_id = msg.id
            rec.replied_at = now
        elif ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = int(data.get("flags") or 0)
            if flags & ~int(MessageFlag.EPHEMERAL):
                errors = FormErrors()
                errors.add(
                    ["flags"], "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL is allowed when deferring"
                )
                raise errors.to_error()
            msg = emu.create_message(
                channel,
                emu.bot.id,
                {"content": "", "flags": flags},
                origin="interaction_response",
                interaction=rec,
                extra_flags=int(MessageFlag.LOADING),
            )
            rec.original_message_id = msg.id
        elif ctype == CallbackType.DEFERRED_UPDATE_MESSAGE:
            rec.original_message_id = rec.source_message_id
        elif ctype == CallbackType.UPDATE_MESSAGE:
            source = emu.message_or_none(rec.source_message_id or 0)
            if source is None:
                raise ApiError(404, 10008, "Unknown Message")
            error = validate_message_body(
                data, file_count=len(files), is_edit=True, current=source.payload
            )
            if error is not None:
                raise error
            emu.edit_message(source, data, files=files)
            rec.original_message_id = source.id
            rec.replied_at = now
        elif ctype == CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            errors = FormErrors()
            validate_choices(
                errors, ["choices"], data.get("choices") or [], emu.focused_option_type(rec)
            )
            if errors:
                err = errors.to_error()
                err.violation = "invalid_callback"
                raise err
            rec.replied_at = now
        elif ctype == CallbackType.MODAL:
            errors = FormErrors()
            custom_id = data.get("custom_id")
            if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
                errors.add(
                    ["custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            title = data.get("title")
            if not isinstance(title, str) or not 1 <= len(title) <= 45:
                errors.add(["title"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
            if not 1 <= len(data.get("components") or []) <= 5:
                errors.add(
                    ["components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
                )
            if errors:
                err = errors.to_error()
                err.violation = "invalid_callback"
                raise err
            rec.replied_at = now
        return ctype in (4, 5, 6, 7, 8, 9)

    def _webhook_interaction(self, request: web.Request) -> InteractionResult:
        emu = self.emu
        rec = emu.interaction_by_token(request.match_info["token"])
        if rec is None or request.match_info["app_id"] != str(emu.app_id):
            raise ApiError(404, 10015, "Unknown Webhook", violation="unknown_webhook")
        now = time.monotonic()
        if rec.token_expired or now > rec.token_expires_at:
            rec.token_expired = True
            raise ApiError(401, 50027, "Invalid Webhook Token", violation="expired_token")
        if rec.callback is None:
            raise ApiError(404, 10015, "Unknown Webhook", violation="webhook_before_ack")
        return rec

    def _webhook_message(self, rec: InteractionResult, raw_id: str) -> StoredMessage:
        if raw_id == "@original":
            if rec.original_message_id is None:
                raise ApiError(404, 10008, "Unknown Message")
            msg = self.emu.message_or_none(rec.original_message_id)
        else:
            msg_id = _int(raw_id, code=10008, what="Unknown Message")
            if msg_id != rec.original_message_id and msg_id not in rec.followup_ids:
                raise ApiError(404, 10008, "Unknown Message")
            msg = self.emu.message_or_none(msg_id)
        if msg is None or msg.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def webhook_execute(self, request: web.Request) -> web.Response:
        """POST /webhooks/{app}/{token}: interaction followup."""
        emu = self.emu
        rec = self._webhook_interaction(request)
        body, files = await self._body(request)
        body = body or {}
        self._check_files(files)
        now = time.monotonic()
        original = rec.original
        if (
            rec.callback is not None
            and rec.callback.type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            and original is not None
            and original.loading
            and not original.deleted
        ):
            # Discord: the first followup after a defer edits the loading message and
            # ignores the ephemeral flag (the deferred message keeps its visibility).
            edit_body = dict(body)
            edit_body.pop("flags", None)
            error = validate_message_body(
                edit_body, file_count=len(files), is_edit=True, current={"flags": original.flags}
            )
            if error is not None:
                raise error
            emu.edit_message(original, edit_body, files=files)
            rec.replied_at = rec.replied_at or now
            msg = original
        else:
            error = validate_message_body(body, file_count=len(files), allow_ephemeral=True)
            if error is not None:
                raise error
            channel = emu.channels[rec.channel_id]
            msg = emu.create_message(
                channel,
                emu.bot.id,
                body,
                origin="followup",
                files=files,
                interaction=rec,
            )
            rec.followup_ids.append(msg.id)
            rec.replied_at = rec.replied_at or now
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(msg.payload)
        return no_content()

    async def webhook_get(self, request: web.Request) -> web.Response:
        """GET @original or a followup."""
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(rec, request.match_info["message_id"])
        return json_response(msg.payload)

    async def webhook_edit(self, request: web.Request) -> web.Response:
        """PATCH @original or a followup."""
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(rec, request.match_info["message_id"])
        body, files = await self._body(request)
        body = body or {}
        self._check_files(files)
        if msg.loading:
            body.pop("flags", None)
        error = validate_message_body(
            body, file_count=len(files), is_edit=True, current=msg.payload, allow_ephemeral=True
        )
        if error is not None:
            raise error
        self.emu.edit_message(msg, body, files=files)
        if msg.id == rec.original_message_id and rec.replied_at is None:
            rec.replied_at = time.monotonic()
        return json_response(msg.payload)

    async def webhook_delete(self, request: web.Request) -> web.Response:
        """DELETE @original or a followup."""
        rec = self._webhook_interaction(request)
        msg = self._webhook_message(rec, request.match_info["message_id"])
        self.emu.delete_message(msg)
        return no_content()


def _flatten(errors: dict[str, Any], prefix: str = "") -> str:
    """Flatten Discord's nested error object into ``path: message`` pairs."""
    parts: list[str] = []
    for key, value in errors.items():
        if key == "_errors":
            parts.extend(f"{prefix or '<root>'}: {e.get('message')}" for e in value)
        elif isinstance(value, dict):
            parts.append(_flatten(value, f"{prefix}.{key}" if prefix else key))
    return "; ".join(p for p in parts if p)


def compute_app_permissions(emu: DiscordEmulator, channel: Channel) -> int:
    """The bot's permissions in ``channel`` (DMs get Discord's fixed DM set)."""
    if channel.guild_id is None:
        return int(
            Perm.VIEW_CHANNEL
            | Perm.SEND_MESSAGES
            | Perm.EMBED_LINKS
            | Perm.ATTACH_FILES
            | Perm.READ_MESSAGE_HISTORY
            | Perm.MENTION_EVERYONE
            | Perm.USE_EXTERNAL_EMOJIS
            | Perm.ADD_REACTIONS
        )
    guild = emu.guilds[channel.guild_id]
    return compute_channel_permissions(guild, channel, emu.bot.id)
