"""Request validation with Discord's limits and error shapes, plus mention resolution.

Validators return an :class:`ApiError` (or ``None``) describing exactly the 400 response
Discord would give, with the nested ``errors`` object Discord uses for Invalid Form Body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .state import MessageFlag

CONTENT_LIMIT = 2000
EMBED_LIMIT = 10
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
ACTION_ROW_LIMIT = 5
COMPONENTS_V2_LIMIT = 40
ROW_ITEM_LIMIT = 5
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
SELECT_OPTIONS_LIMIT = 25
FILES_LIMIT = 10
AUTOCOMPLETE_CHOICES_LIMIT = 25

COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
SELECT_TYPES = {3, 5, 6, 7, 8}


@dataclass
class ApiError(Exception):
    """An error response the emulator sends, optionally recorded as a violation."""

    status: int
    code: int
    message: str
    errors: dict[str, Any] | None = None
    violation: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would return."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def __str__(self) -> str:
        return f"{self.status} {self.code} {self.message} {self.errors or ''}".strip()


class FormErrors:
    """Accumulates errors keyed by field path in Discord's nested ``_errors`` format."""

    def __init__(self) -> None:
        self._tree: dict[str, Any] = {}
        self.flat: list[str] = []

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        """Record an error for the field at ``path``."""
        node = self._tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.flat.append(f"{'.'.join(map(str, path)) or '<root>'}: {message}")

    def __bool__(self) -> bool:
        return bool(self.flat)

    def to_error(self) -> ApiError:
        """The Invalid Form Body error carrying these errors."""
        return ApiError(400, 50035, "Invalid Form Body", self._tree, violation="invalid_form_body")


def _max_len(errors: FormErrors, path: Sequence[str | int], value: Any, limit: int) -> int:
    """Check a string length; return the length counted toward embed totals."""
    if value is None:
        return 0
    if not isinstance(value, str):
        errors.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        return 0
    if len(value) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    return len(value)


def validate_embeds(errors: FormErrors, embeds: Any) -> None:
    """Check embed count, per-field limits and the 6000 character total."""
    if not isinstance(embeds, list):
        errors.add(["embeds"], "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if len(embeds) > EMBED_LIMIT:
        errors.add(["embeds"], "BASE_TYPE_MAX_LENGTH", f"Must be {EMBED_LIMIT} or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        path: list[str | int] = ["embeds", i]
        if not isinstance(embed, dict):
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        total += _max_len(errors, [*path, "title"], embed.get("title"), EMBED_TITLE_LIMIT)
        total += _max_len(
            errors, [*path, "description"], embed.get("description"), EMBED_DESCRIPTION_LIMIT
        )
        footer = embed.get("footer") or {}
        total += _max_len(errors, [*path, "footer", "text"], footer.get("text"), EMBED_FOOTER_LIMIT)
        author = embed.get("author") or {}
        total += _max_len(errors, [*path, "author", "name"], author.get("name"), EMBED_AUTHOR_LIMIT)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_LIMIT:
            errors.add(
                [*path, "fields"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {EMBED_FIELDS_LIMIT} or fewer in length.",
            )
        for j, fld in enumerate(fields):
            fpath = [*path, "fields", j]
            for key, limit in (
                ("name", EMBED_FIELD_NAME_LIMIT),
                ("value", EMBED_FIELD_VALUE_LIMIT),
            ):
                value = fld.get(key)
                if value is None or value == "":
                    errors.add([*fpath, key], "BASE_TYPE_REQUIRED", "This field is required")
                else:
                    total += _max_len(errors, [*fpath, key], value, limit)
    if total > EMBED_TOTAL_LIMIT:
        errors.add(
            ["embeds"],
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}",
        )


def _validate_button(errors: FormErrors, path: list[str | int], comp: dict[str, Any]) -> None:
    style = comp.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        errors.add(
            [*path, "style"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6)."
        )
        return
    if style == 5:
        if not comp.get("url"):
            errors.add([*path, "url"], "BASE_TYPE_REQUIRED", "This field is required")
        if comp.get("custom_id"):
            errors.add(
                [*path, "custom_id"],
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "Link buttons cannot have a custom_id",
            )
    elif style != 6 and not comp.get("custom_id"):
        errors.add([*path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
    _max_len(errors, [*path, "label"], comp.get("label"), BUTTON_LABEL_LIMIT)


def _walk_components(components: Any) -> Iterable[dict[str, Any]]:
    for comp in components or []:
        if isinstance(comp, dict):
            yield comp
            yield from _walk_components(comp.get("components"))
            accessory = comp.get("accessory")
            if isinstance(accessory, dict):
                yield accessory
            child = comp.get("component")
            if isinstance(child, dict):
                yield child


def validate_components(errors: FormErrors, components: Any, *, v2: bool) -> None:
    """Check action-row structure, button/select shapes and custom_id uniqueness."""
    if not isinstance(components, list):
        errors.add(["components"], "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if v2:
        count = sum(1 for _ in _walk_components(components))
        if count > COMPONENTS_V2_LIMIT:
            errors.add(
                ["components"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {COMPONENTS_V2_LIMIT} or fewer in length.",
            )
    else:
        if len(components) > ACTION_ROW_LIMIT:
            errors.add(
                ["components"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {ACTION_ROW_LIMIT} or fewer in length.",
            )
        for i, row in enumerate(components):
            path: list[str | int] = ["components", i]
            if not isinstance(row, dict) or row.get("type") != 1:
                errors.add(
                    [*path, "type"],
                    "UNION_TYPE_CHOICES",
                    'Value of field "type" must be one of (1,).',
                )
                continue
            items = row.get("components") or []
            if not 1 <= len(items) <= ROW_ITEM_LIMIT:
                errors.add(
                    [*path, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {ROW_ITEM_LIMIT} in length.",
                )
            if any(c.get("type") in SELECT_TYPES for c in items) and len(items) > 1:
                errors.add(
                    [*path, "components"],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
            for j, comp in enumerate(items):
                cpath = [*path, "components", j]
                if comp.get("type") == 2:
                    _validate_button(errors, cpath, comp)
                elif comp.get("type") in SELECT_TYPES:
                    if not comp.get("custom_id"):
                        errors.add(
                            [*cpath, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required"
                        )
                    if comp.get("type") == 3:
                        options = comp.get("options") or []
                        if not 1 <= len(options) <= SELECT_OPTIONS_LIMIT:
                            errors.add(
                                [*cpath, "options"],
                                "BASE_TYPE_BAD_LENGTH",
                                f"Must be between 1 and {SELECT_OPTIONS_LIMIT} in length.",
                            )
    seen: set[str] = set()
    for comp in _walk_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is None:
            continue
        if len(str(custom_id)) > CUSTOM_ID_LIMIT:
            errors.add(
                ["components"],
                "BASE_TYPE_MAX_LENGTH",
                f"custom_id must be {CUSTOM_ID_LIMIT} or fewer in length.",
            )
        if custom_id in seen:
            errors.add(
                ["components"],
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def validate_allowed_mentions(errors: FormErrors, am: Any) -> None:
    """Check the allowed_mentions object (parse values and parse/list conflicts)."""
    if am is None:
        return
    if not isinstance(am, dict):
        errors.add(
            ["allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
        )
        return
    parse = am.get("parse") or []
    for i, value in enumerate(parse):
        if value not in ("roles", "users", "everyone"):
            errors.add(
                ["allowed_mentions", "parse", i],
                "BASE_TYPE_CHOICES",
                "Value must be one of ('roles', 'users', 'everyone').",
            )
    for kind in ("users", "roles"):
        ids = am.get(kind) or []
        if kind in parse and ids:
            errors.add(
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        if len(ids) > 100:
            errors.add(
                ["allowed_mentions", kind],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            )


def validate_message_body(
    body: dict[str, Any],
    *,
    file_count: int = 0,
    is_edit: bool = False,
    current: dict[str, Any] | None = None,
    allow_ephemeral: bool = False,
) -> ApiError | None:
    """Validate a create/edit message body the way Discord does.

    For edits, ``current`` is the stored message; absent keys keep their stored value when
    checking that the result is not empty.
    """
    errors = FormErrors()
    content = body.get("content")
    if content is not None:
        _max_len(errors, ["content"], content, CONTENT_LIMIT)
    flags = int(body.get("flags") or 0)
    if flags & MessageFlag.EPHEMERAL and not allow_ephemeral:
        # Discord silently drops EPHEMERAL outside interactions; flag it anyway.
        errors.add(["flags"], "MESSAGE_FLAGS_INVALID", "Ephemeral messages require an interaction")
    merged_flags = flags | int((current or {}).get("flags") or 0)
    v2 = bool(merged_flags & MessageFlag.IS_COMPONENTS_V2)
    if body.get("embeds") is not None:
        validate_embeds(errors, body["embeds"])
    if body.get("components") is not None:
        validate_components(errors, body["components"], v2=v2)
    validate_allowed_mentions(errors, body.get("allowed_mentions"))
    if v2 and (body.get("content") or body.get("embeds")):
        errors.add(
            ["content"],
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using IS_COMPONENTS_V2",
        )
    if file_count > FILES_LIMIT:
        errors.add(["files"], "BASE_TYPE_MAX_LENGTH", f"Must be {FILES_LIMIT} or fewer in length.")
    if errors:
        return errors.to_error()

    def present(key: str) -> bool:
        if key in body:
            return bool(body[key])
        return bool(is_edit and current and current.get(key))

    has_files = file_count > 0 or present("attachments")
    if not (
        present("content")
        or present("embeds")
        or present("components")
        or present("sticker_ids")
        or present("poll")
        or has_files
    ):
        return ApiError(400, 50006, "Cannot send an empty message", violation="empty_message")
    return None


# --------------------------------------------------------------------------- commands

OPTION_TYPES = set(range(1, 12))
VALUE_OPTION_TYPES = set(range(3, 12))


def _validate_name(
    errors: FormErrors, path: list[str | int], name: Any, *, chat_input: bool
) -> None:
    if not isinstance(name, str) or not name:
        errors.add([*path, "name"], "BASE_TYPE_REQUIRED", "This field is required")
        return
    if chat_input:
        if not COMMAND_NAME_RE.match(name) or name != name.lower():
            errors.add(
                [*path, "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r} (1-32 lowercase letters, digits, - _ ')",
            )
    elif not 1 <= len(name) <= 32:
        errors.add([*path, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")


def _validate_description(errors: FormErrors, path: list[str | int], desc: Any) -> None:
    if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
        errors.add(
            [*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )


def _validate_options(errors: FormErrors, path: list[str | int], options: Any, depth: int) -> None:
    if options is None:
        return
    if not isinstance(options, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    seen_optional = False
    has_sub = has_value = False
    for i, opt in enumerate(options):
        opath = [*path, i]
        if not isinstance(opt, dict):
            errors.add(opath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        otype = opt.get("type")
        if otype not in OPTION_TYPES:
            errors.add([*opath, "type"], "BASE_TYPE_CHOICES", f"Invalid option type {otype!r}")
            continue
        _validate_name(errors, opath, opt.get("name"), chat_input=True)
        _validate_description(errors, opath, opt.get("description"))
        if opt.get("name") in names:
            errors.add(
                [*opath, "name"],
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(str(opt.get("name")))
        if otype in (1, 2):
            has_sub = True
            if otype == 2 and depth > 0:
                errors.add(
                    opath,
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Subcommand groups cannot be nested",
                )
            if otype == 1 and depth > 1:
                errors.add(opath, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Too deeply nested")
            _validate_options(errors, [*opath, "options"], opt.get("options"), depth + 1)
            continue
        has_value = True
        if opt.get("required"):
            if seen_optional:
                errors.add(
                    opath,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices")
        if choices:
            if opt.get("autocomplete"):
                errors.add(
                    opath,
                    "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
                    "Autocomplete and choices are mutually exclusive",
                )
            if otype not in (3, 4, 10):
                errors.add(
                    [*opath, "choices"],
                    "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                    "Choices only allowed for string, integer and number",
                )
            validate_choices(errors, [*opath, "choices"], choices, otype)
        for key in ("min_length", "max_length"):
            if key in opt and opt[key] is not None and not 0 <= int(opt[key]) <= 6000:
                errors.add([*opath, key], "NUMBER_TYPE_MAX", "Must be between 0 and 6000.")
    if has_sub and has_value:
        errors.add(
            path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Cannot mix subcommands and options"
        )


def validate_choices(
    errors: FormErrors, path: list[str | int], choices: Any, option_type: int
) -> None:
    """Check a list of option choices (also used for autocomplete results)."""
    if not isinstance(choices, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if len(choices) > AUTOCOMPLETE_CHOICES_LIMIT:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        cpath = [*path, i]
        name = choice.get("name") if isinstance(choice, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.add(
                [*cpath, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        value = choice.get("value") if isinstance(choice, dict) else None
        if option_type == 3:
            if not isinstance(value, str) or len(value) > 100:
                errors.add(
                    [*cpath, "value"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be a string of 100 or fewer in length.",
                )
        elif option_type == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                errors.add([*cpath, "value"], "NUMBER_TYPE_COERCE", "Value is not int.")
        elif option_type == 10 and (not isinstance(value, int | float) or isinstance(value, bool)):
            errors.add([*cpath, "value"], "NUMBER_TYPE_COERCE", "Value is not a number.")


def validate_command_list(commands: Any) -> ApiError | None:
    """Validate a bulk-overwrite body (list of application commands)."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add([], "LIST_TYPE_CONVERT", "Must be an array.")
        return errors.to_error()
    seen: set[tuple[int, str]] = set()
    counts: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        validate_command(errors, [i], cmd)
        if isinstance(cmd, dict):
            key = (int(cmd.get("type", 1)), str(cmd.get("name")))
            if key in seen:
                errors.add(
                    [i, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {key[1]}",
                )
            seen.add(key)
            counts[key[0]] = counts.get(key[0], 0) + 1
    if counts.get(1, 0) > 100:
        errors.add([], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer chat input commands.")
    if counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
        errors.add([], "BASE_TYPE_MAX_LENGTH", "Must be 15 or fewer user/message commands.")
    if errors:
        err = errors.to_error()
        err.violation = "invalid_command"
        return err
    return None


def validate_command(errors: FormErrors, path: list[str | int], cmd: Any) -> None:
    """Validate a single application command object."""
    if not isinstance(cmd, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    ctype = cmd.get("type", 1)
    if ctype not in (1, 2, 3, 4):
        errors.add([*path, "type"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4).")
        return
    _validate_name(errors, path, cmd.get("name"), chat_input=ctype == 1)
    if ctype == 1:
        _validate_description(errors, path, cmd.get("description"))
        _validate_options(errors, [*path, "options"], cmd.get("options"), 0)
    else:
        if cmd.get("description"):
            errors.add(
                [*path, "description"],
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have a description",
            )
        if cmd.get("options"):
            errors.add(
                [*path, "options"],
                "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
                "Context menu commands cannot have options",
            )
    perms = cmd.get("default_member_permissions")
    if perms is not None:
        try:
            int(perms)
        except (TypeError, ValueError):
            errors.add(
                [*path, "default_member_permissions"],
                "NUMBER_TYPE_COERCE",
                "Value is not a permission bitfield.",
            )
    contexts = cmd.get("contexts")
    if contexts is not None and (
        not isinstance(contexts, list) or any(c not in (0, 1, 2) for c in contexts)
    ):
        errors.add([*path, "contexts"], "BASE_TYPE_CHOICES", "Value must be one of (0, 1, 2).")


# --------------------------------------------------------------------------- mentions

USER_MENTION_RE = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION_RE = re.compile(r"<@&(\d{15,21})>")


@dataclass(frozen=True)
class MentionScan:
    """Raw mentions found in message content."""

    users: tuple[int, ...]
    roles: tuple[int, ...]
    everyone: bool
    here: bool


def scan_mentions(content: str) -> MentionScan:
    """Find user, role, @everyone and @here mentions in ``content``."""
    users = tuple(dict.fromkeys(int(m) for m in USER_MENTION_RE.findall(content)))
    roles = tuple(dict.fromkeys(int(m) for m in ROLE_MENTION_RE.findall(content)))
    return MentionScan(users, roles, "@everyone" in content, "@here" in content)


@dataclass(frozen=True)
class MentionDecision:
    """Which of the scanned mentions Discord would actually turn into pings."""

    users: frozenset[int]
    roles: frozenset[int]
    everyone: bool
    replied_user: bool


def resolve_allowed_mentions(
    scan: MentionScan,
    allowed_mentions: dict[str, Any] | None,
    *,
    can_mention_everyone: bool,
    mentionable_roles: Iterable[int],
    is_reply: bool,
) -> MentionDecision:
    """Apply Discord's allowed_mentions rules to scanned mentions.

    Without ``allowed_mentions`` Discord parses everything (role pings need the role to be
    mentionable or the author to have MENTION_EVERYONE, @everyone/@here need
    MENTION_EVERYONE) and a reply pings the replied-to author. With it, only what it
    allows is pinged and ``replied_user`` defaults to false.
    """
    mentionable = set(mentionable_roles)

    def role_ok(role_id: int) -> bool:
        return can_mention_everyone or role_id in mentionable

    everyone_requested = scan.everyone or scan.here
    if allowed_mentions is None:
        return MentionDecision(
            users=frozenset(scan.users),
            roles=frozenset(r for r in scan.roles if role_ok(r)),
            everyone=everyone_requested and can_mention_everyone,
            replied_user=is_reply,
        )
    parse = set(allowed_mentions.get("parse") or [])
    users: set[int] = set()
    if "users" in parse:
        users = set(scan.users)
    else:
        explicit = {int(u) for u in allowed_mentions.get("users") or []}
        users = {u for u in scan.users if u in explicit}
    if "roles" in parse:
        roles = {r for r in scan.roles if role_ok(r)}
    else:
        explicit_roles = {int(r) for r in allowed_mentions.get("roles") or []}
        roles = {r for r in scan.roles if r in explicit_roles and role_ok(r)}
    return MentionDecision(
        users=frozenset(users),
        roles=frozenset(roles),
        everyone=everyone_requested and "everyone" in parse and can_mention_everyone,
        replied_user=is_reply and bool(allowed_mentions.get("replied_user", False)),
    )
