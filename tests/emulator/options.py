"""Convert test-supplied slash command option values into interaction ``data.options``.

Mirrors what the Discord client enforces before it sends an interaction: required
options, value types, choices, length and range limits; and fills ``resolved`` for
user, member, role, channel and attachment options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .state import Channel, compute_channel_permissions

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


class OptionBuilder:
    """Turns test-supplied option values into interaction ``data.options`` + ``resolved``."""

    def __init__(
        self, emu: DiscordEmulator, channel: Channel, user_id: int, *, partial: bool = False
    ) -> None:
        self.emu = emu
        self.channel = channel
        self.user_id = user_id
        self.guild = emu.guilds.get(channel.guild_id) if channel.guild_id else None
        self.partial = partial
        self.resolved: dict[str, dict[str, Any]] = {}
        self.focused_type = 3

    def build(
        self,
        definitions: list[dict[str, Any]],
        path: list[str],
        values: dict[str, Any],
        *,
        focused: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        if path:
            head, rest = path[0], path[1:]
            sub = next((d for d in definitions if d["name"] == head and d["type"] in (1, 2)), None)
            if sub is None:
                names = [d["name"] for d in definitions if d["type"] in (1, 2)]
                raise ValueError(f"no subcommand {head!r} (have {names})")
            inner = self.build(sub.get("options") or [], rest, values, focused=focused)
            entry: dict[str, Any] = {"name": head, "type": sub["type"]}
            if inner or sub["type"] == 1:
                entry["options"] = inner
            return [entry]
        if any(d["type"] in (1, 2) for d in definitions):
            names = [d["name"] for d in definitions if d["type"] in (1, 2)]
            raise ValueError(f"a subcommand is required (one of {names})")
        known = {d["name"] for d in definitions}
        unknown = set(values) - known
        if focused is not None:
            unknown -= {focused[0]}
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} (have {sorted(known)})")
        out: list[dict[str, Any]] = []
        for definition in definitions:
            oname = definition["name"]
            if focused is not None and oname == focused[0]:
                if not definition.get("autocomplete"):
                    raise ValueError(f"option {oname!r} does not have autocomplete enabled")
                self.focused_type = int(definition["type"])
                out.append(
                    {
                        "name": oname,
                        "type": definition["type"],
                        "value": focused[1],
                        "focused": True,
                    }
                )
                continue
            if oname not in values:
                if definition.get("required") and not self.partial:
                    raise ValueError(f"required option {oname!r} missing")
                continue
            out.append(
                {
                    "name": oname,
                    "type": definition["type"],
                    "value": self._convert(definition, values[oname]),
                }
            )
        if focused is not None and focused[0] not in known:
            raise ValueError(f"unknown focused option {focused[0]!r}")
        return out

    def _add_resolved(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def _convert(self, definition: dict[str, Any], value: Any) -> Any:
        otype = definition["type"]
        name = definition["name"]
        if otype == 3:
            if not isinstance(value, str):
                raise ValueError(f"option {name!r} expects a string")
            lo, hi = definition.get("min_length"), definition.get("max_length")
            if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
                raise ValueError(f"option {name!r} length must be in [{lo}, {hi}]")
            if len(value) > 6000:
                raise ValueError(f"option {name!r} is longer than 6000 characters")
        elif otype == 4:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"option {name!r} expects an integer")
        elif otype == 10:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"option {name!r} expects a number")
        elif otype == 5:
            if not isinstance(value, bool):
                raise ValueError(f"option {name!r} expects a boolean")
        elif otype in (6, 9):
            return self._resolve_user_or_role(name, otype, value)
        elif otype == 7:
            return self._resolve_channel(definition, value)
        elif otype == 8:
            return self._resolve_role(name, value)
        elif otype == 11:
            return self._resolve_attachment(value)
        if otype in (4, 10):
            lo, hi = definition.get("min_value"), definition.get("max_value")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise ValueError(f"option {name!r} must be in [{lo}, {hi}]")
        choices = definition.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {name!r} must be one of {[c['value'] for c in choices]}")
        return value

    def _resolve_user_or_role(self, name: str, otype: int, value: Any) -> str:
        ident = int(getattr(value, "id", value))
        if ident in self.emu.users:
            user = self.emu.users[ident]
            self._add_resolved("users", ident, user.to_payload())
            if self.guild is not None and ident in self.guild.members:
                perms = compute_channel_permissions(self.guild, self.channel, ident)
                member = self.emu.member_payload(
                    self.guild, ident, with_user=False, permissions=perms
                )
                self._add_resolved("members", ident, member)
            return str(ident)
        if otype == 9:
            return self._resolve_role(name, ident)
        raise ValueError(f"option {name!r}: unknown user {ident}")

    def _resolve_role(self, name: str, value: Any) -> str:
        ident = int(getattr(value, "id", value))
        if self.guild is None or ident not in self.guild.roles:
            raise ValueError(f"option {name!r}: unknown role {ident}")
        self._add_resolved("roles", ident, self.guild.roles[ident].to_payload())
        return str(ident)

    def _resolve_channel(self, definition: dict[str, Any], value: Any) -> str:
        ident = int(getattr(value, "id", value))
        channel = self.emu.channels.get(ident)
        if channel is None or channel.guild_id != self.channel.guild_id:
            raise ValueError(f"option {definition['name']!r}: unknown channel {ident}")
        allowed = definition.get("channel_types")
        if allowed and int(channel.type) not in allowed:
            raise ValueError(f"option {definition['name']!r}: channel type not allowed")
        payload = self.emu.channel_payload(channel)
        if self.guild is not None:
            payload["permissions"] = str(
                compute_channel_permissions(self.guild, channel, self.user_id)
            )
        self._add_resolved("channels", ident, payload)
        return str(ident)

    def _resolve_attachment(self, value: Any) -> str:
        if not isinstance(value, Mapping) or "filename" not in value:
            raise ValueError("attachment options take {'filename': ..., 'data': bytes}")
        att_id = self.emu.ids.next()
        data = value.get("data", b"")
        if not isinstance(data, bytes | bytearray):
            raise ValueError("an attachment's 'data' must be bytes")
        if len(data) > self.emu.attachment_size_limit:
            raise ValueError(
                f"the Discord client refuses files over {self.emu.attachment_size_limit} bytes"
            )
        content_type = value.get("content_type", "application/octet-stream")
        self.emu.cdn_files[att_id] = (value["filename"], bytes(data), content_type)
        url = f"{self.emu.base_url}/attachments/{self.channel.id}/{att_id}/{value['filename']}"
        self._add_resolved(
            "attachments",
            att_id,
            {
                "id": str(att_id),
                "filename": value["filename"],
                "size": len(data),
                "url": url,
                "proxy_url": url,
                "content_type": content_type,
                "ephemeral": True,
            },
        )
        return str(att_id)
