"""Interaction bookkeeping: what was dispatched, how the bot answered and when."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .state import MessageFlag, StoredMessage

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


class InteractionType(enum.IntEnum):
    """Interaction types."""

    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(enum.IntEnum):
    """Interaction callback (response) types."""

    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
    MODAL = 9
    PREMIUM_REQUIRED = 10
    LAUNCH_ACTIVITY = 12


#: Which callback types are legal for which interaction type.
ALLOWED_CALLBACKS: dict[InteractionType, set[int]] = {
    InteractionType.APPLICATION_COMMAND: {4, 5, 9, 10, 12},
    InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 10, 12},
    InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE: {8},
    InteractionType.MODAL_SUBMIT: {4, 5, 6, 7, 10},
}


@dataclass
class CallbackRecord:
    """One POST to /interactions/{id}/{token}/callback (accepted or rejected)."""

    type: int
    data: dict[str, Any] | None
    at: float
    status: int
    error: dict[str, Any] | None = None

    @property
    def accepted(self) -> bool:
        """Whether Discord accepted the callback."""
        return self.status < 300

    @property
    def ephemeral(self) -> bool:
        """Whether the callback asked for an ephemeral response."""
        return bool(int((self.data or {}).get("flags") or 0) & MessageFlag.EPHEMERAL)

    @property
    def deferred(self) -> bool:
        """Whether this was a defer (type 5 or 6)."""
        return self.type in (5, 6)


@dataclass
class InteractionResult:
    """An interaction the emulator dispatched, and everything the bot did with it.

    Await :meth:`ack`, :meth:`reply`, :meth:`wait_followups` or :meth:`choices`; they raise
    :class:`EmulatorTimeout` (an AssertionError) with a readable message on timeout.
    """

    emu: DiscordEmulator = field(repr=False)
    id: int
    token: str
    kind: str
    name: str
    type: InteractionType
    user_id: int
    guild_id: int | None
    channel_id: int
    payload: dict[str, Any] = field(repr=False)
    dispatched_at: float
    delivered: bool
    not_delivered_reason: str | None = None
    #: Message the component was attached to (component interactions only).
    source_message_id: int | None = None
    callback: CallbackRecord | None = None
    rejected_callbacks: list[CallbackRecord] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    replied_at: float | None = None
    token_expired: bool = False
    token_expires_at: float = 0.0

    # ------------------------------------------------------------------ derived

    @property
    def acked(self) -> bool:
        """Whether an initial callback was accepted."""
        return self.callback is not None

    @property
    def ack_seconds(self) -> float | None:
        """Seconds from dispatch to the accepted initial callback."""
        return None if self.callback is None else self.callback.at - self.dispatched_at

    @property
    def reply_seconds(self) -> float | None:
        """Seconds from dispatch until the final visible reply existed."""
        return None if self.replied_at is None else self.replied_at - self.dispatched_at

    @property
    def original(self) -> StoredMessage | None:
        """The @original response message (current state), if any."""
        if self.original_message_id is None:
            return None
        return self.emu.message_or_none(self.original_message_id)

    @property
    def followups(self) -> list[StoredMessage]:
        """Followup messages that created new messages, in order."""
        return [m for m in (self.emu.message_or_none(i) for i in self.followup_ids) if m]

    @property
    def ephemeral(self) -> bool:
        """Whether the response the user sees is ephemeral."""
        original = self.original
        if original is not None:
            return original.ephemeral
        return bool(self.callback and self.callback.ephemeral)

    @property
    def modal(self) -> dict[str, Any] | None:
        """Modal data when the bot answered with a modal (callback type 9)."""
        if self.callback is not None and self.callback.type == CallbackType.MODAL:
            return self.callback.data
        return None

    def final_reply(self) -> StoredMessage | None:
        """The visible reply if there is one yet (non-blocking)."""
        if self.replied_at is None:
            return None
        original = self.original
        if original is not None and not original.deleted and not original.loading:
            return original
        followups = self.followups
        return followups[0] if followups else original

    def _check_delivered(self) -> None:
        if not self.delivered:
            reason = self.not_delivered_reason
            raise AssertionError(f"interaction /{self.name} was not delivered to the bot: {reason}")

    def _describe(self, what: str) -> str:
        state = f"callback={self.callback.type if self.callback else None}"
        if self.rejected_callbacks:
            rejected = [
                (c.type, c.status, (c.error or {}).get("code")) for c in self.rejected_callbacks
            ]
            state += f", rejected callbacks={rejected}"
        return f"{what} of {self.kind} /{self.name} ({state})"

    # ------------------------------------------------------------------ waiting

    async def ack(self, timeout: float = 5.0) -> CallbackRecord:  # noqa: ASYNC109
        """Wait for the accepted initial callback (type 4/5/6/7/8/9)."""
        self._check_delivered()
        return await self.emu.notifier.wait_for(
            lambda: self.callback, timeout=timeout, describe=lambda: self._describe("ack")
        )

    async def reply(self, timeout: float = 10.0) -> StoredMessage:  # noqa: ASYNC109
        """Wait for the final visible reply.

        That is the response message once it is no longer "thinking": the type 4 message,
        the deferred message after its edit (or first followup), the updated component
        message, or the first followup if the original was deleted.
        """
        self._check_delivered()
        return await self.emu.notifier.wait_for(
            self.final_reply, timeout=timeout, describe=lambda: self._describe("reply")
        )

    async def wait_followups(self, count: int = 1, timeout: float = 10.0) -> list[StoredMessage]:  # noqa: ASYNC109
        """Wait until at least ``count`` followup messages exist; return all of them."""
        self._check_delivered()

        def ready() -> list[StoredMessage] | None:
            followups = self.followups
            return followups if len(followups) >= count else None

        return await self.emu.notifier.wait_for(
            ready, timeout=timeout, describe=lambda: self._describe(f"{count} followup(s)")
        )

    async def choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """Wait for an autocomplete result (callback type 8) and return its choices."""
        record = await self.ack(timeout)
        if record.type != CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            raise AssertionError(f"expected autocomplete result, got callback type {record.type}")
        return list((record.data or {}).get("choices") or [])

    async def rejection(self, timeout: float = 10.0) -> CallbackRecord:  # noqa: ASYNC109
        """Wait for a rejected callback (e.g. the 10062 deadline rejection)."""
        self._check_delivered()
        return await self.emu.notifier.wait_for(
            lambda: self.rejected_callbacks[0] if self.rejected_callbacks else None,
            timeout=timeout,
            describe=lambda: self._describe("rejected callback"),
        )


def not_delivered(
    emu: DiscordEmulator,
    *,
    kind: str,
    name: str,
    type_: InteractionType,
    user_id: int,
    guild_id: int | None,
    channel_id: int,
    reason: str,
    now: float,
) -> InteractionResult:
    """An InteractionResult for an invocation Discord would never have sent to the bot."""
    return InteractionResult(
        emu=emu,
        id=0,
        token="",
        kind=kind,
        name=name,
        type=type_,
        user_id=user_id,
        guild_id=guild_id,
        channel_id=channel_id,
        payload={},
        dispatched_at=now,
        delivered=False,
        not_delivered_reason=reason,
    )
