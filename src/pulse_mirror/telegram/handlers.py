"""python-telegram-bot handlers: each turns an update into a call of the survey core.

No rule lives here: taps go to ``PulseAnswers``, consent and rights to ``Customers``; the
handlers answer the callback query at once and leave edits and replies to the paced
``Outbound`` sender. Only private chats are served; groups, supergroups, forum topics,
channels and edits are ignored (a tap there is answered with nothing). "Yes, ask me" counts
only with a genuine, fresh seal (``telegram/consent.py``). A handler that fails is logged as
one line (the error's type and place, never its message, which may carry what was sent).
"""

from __future__ import annotations

import json
import logging

from telegram import CallbackQuery, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from pulse_mirror.surveys.callbacks import Choice, CommentRequest, Skip, parse_or_none
from pulse_mirror.surveys.customers import Customers, Welcome
from pulse_mirror.surveys.ports import Clock, Pace
from pulse_mirror.surveys.service import Outcome, PulseAnswers, Reply
from pulse_mirror.surveys.texts import text
from pulse_mirror.telegram import keyboards
from pulse_mirror.telegram.consent import ConsentSeal, is_consent
from pulse_mirror.telegram.errors import retry_seconds, where
from pulse_mirror.telegram.keyboards import render_pulse
from pulse_mirror.telegram.outbound import Outbound
from pulse_mirror.telegram.texts import text as tg_text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
_PRIVATE = filters.ChatType.PRIVATE
_NEW_MESSAGE = filters.UpdateType.MESSAGE


class TelegramHandlers:
    """The bot's handlers, bound to the survey core and the paced sender."""

    def __init__(
        self,
        *,
        answers: PulseAnswers,
        customers: Customers,
        outbound: Outbound,
        pacer: Pace,
        clock: Clock,
        consent: ConsentSeal,
    ) -> None:
        self._clock = clock
        self._seal = consent
        self._answers = answers
        self._customers = customers
        self._out = outbound
        self._pacer = pacer

    def install(self, application: Application) -> None:  # type: ignore[type-arg]
        """Register every handler on ``application``."""
        commands = {
            "start": self.start,
            "stop": self.stop,
            "mydata": self.my_data,
            "delete": self.delete,
            "help": self.help,
        }
        for name, callback in commands.items():
            application.add_handler(CommandHandler(name, callback, filters=_PRIVATE & _NEW_MESSAGE))
        application.add_handler(CallbackQueryHandler(self.tap))
        application.add_handler(
            MessageHandler(_PRIVATE & _NEW_MESSAGE & filters.TEXT & ~filters.COMMAND, self.message)
        )
        application.add_handler(
            MessageHandler(_PRIVATE & _NEW_MESSAGE & filters.COMMAND, self.unknown_command)
        )
        application.add_handler(MessageHandler(_PRIVATE & _NEW_MESSAGE, self.other_content))
        application.add_handler(
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self.error)

    # --- commands -------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """/start [payload]: ask for consent, or resume a customer who had stopped."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        payload = context.args[0] if context.args else None
        result = await self._customers.start(
            platform_user_id=str(user.id), language_code=user.language_code, payload=payload
        )
        if result.welcome is Welcome.ASK_CONSENT:
            settings = self._customers.settings
            intro = text(
                "intro.customer",
                result.lang,
                org=settings.organisation,
                days=settings.min_days_between,
            )
            opt_in = self._seal.issue(
                chat_id=user.id, segment_ref=result.segment_ref, now=self._clock.now()
            )
            markup = keyboards.consent_keyboard(result.lang, opt_in=opt_in)
            self._out.send(chat.id, intro, markup)
        else:
            self._out.send(chat.id, tg_text(result.welcome.value, result.lang))

    async def stop(self, update: Update, context: Context) -> None:
        """/stop: no more questions, at once."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        stopped = await self._customers.stop(str(user.id))
        self._out.send(
            chat.id, tg_text("stopped" if stopped else "not_signed_up", self._lang(update))
        )

    async def my_data(self, update: Update, context: Context) -> None:
        """/mydata: everything stored about the customer, as a JSON document."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        lang = self._lang(update)
        data = await self._customers.my_data(str(user.id))
        if data is None:
            self._out.send(chat.id, tg_text("not_signed_up", lang))
            return
        document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        for _ in range(5):
            await self._pacer.acquire(str(chat.id))
            try:
                await context.bot.send_document(
                    chat.id,
                    document,
                    filename="mydata.json",
                    caption=tg_text("mydata.caption", lang),
                )
                return
            except RetryAfter as error:
                self._out.rate_limited()
                self._pacer.hold(retry_seconds(error), chat=str(chat.id))
        log.warning("mydata not sent: rate limited on every try", extra={"chat": chat.id})
        self._out.send(chat.id, tg_text("mydata.later", lang))  # queued: it waits its turn

    async def delete(self, update: Update, context: Context) -> None:
        """/delete: ask for confirmation first."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        lang = self._lang(update)
        if await self._customers.person(str(user.id)) is None:
            self._out.send(chat.id, tg_text("not_signed_up", lang))
            return
        self._out.send(chat.id, tg_text("delete.confirm", lang), keyboards.delete_keyboard(lang))

    async def help(self, update: Update, context: Context) -> None:
        """/help: what the bot does and the commands."""
        chat = update.effective_chat
        if chat is not None:
            org = self._customers.settings.organisation
            self._out.send(chat.id, tg_text("help", self._lang(update), org=org))

    # --- buttons --------------------------------------------------------------------------

    async def tap(self, update: Update, context: Context) -> None:
        """Any inline button: an answer, a skip, a comment, consent or a deletion."""
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if message is not None and message.chat.type != ChatType.PRIVATE:
            await _answer(query, None)  # only private chats are served; a quiet "done"
            return
        data = query.data or ""
        user_id = str(query.from_user.id)
        if is_consent(data) or data == keyboards.DECLINE:
            await self._consent(query, data)
            return
        if data in (keyboards.DELETE_YES, keyboards.DELETE_NO):
            await self._confirm_delete(query, data == keyboards.DELETE_YES)
            return
        callback = parse_or_none(data)
        if isinstance(callback, Choice):
            reply = await self._answers.choose(
                token=callback.token,
                index=callback.index,
                value=callback.value,
                platform_user_id=user_id,
            )
        elif isinstance(callback, Skip):
            reply = await self._answers.skip(
                token=callback.token, index=callback.index, platform_user_id=user_id
            )
        elif isinstance(callback, CommentRequest):
            await self._comment_request(query, callback.token)
            return
        else:
            lang = self._customers.language(query.from_user.language_code)
            await _answer(query, text("invalid", lang))
            return
        await self._render(query, reply)

    async def _render(self, query: CallbackQuery, reply: Reply) -> None:
        await _answer(query, reply.notice)
        message = query.message
        if message is None or reply.state is None:
            return
        if reply.outcome is Outcome.CLOSED:
            self._out.edit(message.chat.id, message.message_id, reply.notice, None)
        elif reply.outcome in (Outcome.RECORDED, Outcome.CHANGED, Outcome.SKIPPED):
            shown = render_pulse(reply.state)
            self._out.edit(message.chat.id, message.message_id, shown.text, shown.markup)

    async def _comment_request(self, query: CallbackQuery, token: str) -> None:
        lang = self._customers.language(query.from_user.language_code)
        state = await self._answers.state(token)
        if state is None:
            await _answer(query, text("invalid", lang))
            return
        if not state.is_open(self._clock.now()):
            await _answer(query, text("closed", state.lang))
            return
        # Stored before the prompt goes out: if the database is gone, the error handler
        # answers "try again" and no prompt promises a wait that was never recorded.
        if not await self._customers.await_comment(str(query.from_user.id), token):
            await _answer(query, text("not_yours", state.lang))
            return
        await _answer(query, None)
        limit = self._customers.settings.comment_max_chars
        self._out.send(query.from_user.id, text("comment.prompt", state.lang, limit=limit))

    async def _consent(self, query: CallbackQuery, data: str) -> None:
        user = query.from_user
        lang = self._customers.language(user.language_code)
        if data == keyboards.DECLINE:
            reply = tg_text("declined", lang)
        else:
            # The person's private chat has the person's id: a seal issued to them only.
            ref = self._seal.check(data, chat_id=user.id, now=self._clock.now())
            if ref is None:
                log.info("consent button refused: forged, from another chat, or expired")
                await _answer(query, tg_text("consent.again", lang))
                return
            await self._customers.opt_in(
                platform_user_id=str(user.id), language_code=user.language_code, segment_ref=ref
            )
            days = self._customers.settings.min_days_between
            reply = tg_text("joined", lang, days=days)
        await _answer(query, None)
        if query.message is not None:
            self._out.edit(query.message.chat.id, query.message.message_id, reply, None)

    async def _confirm_delete(self, query: CallbackQuery, confirmed: bool) -> None:
        lang = self._customers.language(query.from_user.language_code)
        if confirmed:
            deleted = await self._customers.delete(str(query.from_user.id))
            reply = tg_text("deleted" if deleted else "not_signed_up", lang)
        else:
            reply = tg_text("delete.kept", lang)
        await _answer(query, None)
        if query.message is not None:
            self._out.edit(query.message.chat.id, query.message.message_id, reply, None)

    # --- messages -------------------------------------------------------------------------

    async def message(self, update: Update, context: Context) -> None:
        """A text message: the awaited comment, or a hint to use the buttons."""
        user, chat, message = update.effective_user, update.effective_chat, update.message
        if user is None or chat is None or message is None:
            return
        token = await self._customers.awaited_comment(str(user.id))
        if token is None:
            self._out.send(chat.id, tg_text("use_buttons", self._lang(update)))
            return
        reply = await self._answers.comment(
            token=token, body=message.text or "", platform_user_id=str(user.id)
        )
        if reply.outcome not in (Outcome.TOO_LONG, Outcome.EMPTY, Outcome.STORE_FAILED):
            await self._customers.comment_done(str(user.id), token)
        if reply.notice:
            self._out.send(chat.id, reply.notice)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have (``/foo``): point to /help."""
        chat = update.effective_chat
        if chat is not None:
            self._out.send(chat.id, tg_text("unknown_command", self._lang(update)))

    async def other_content(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice and the like: a short, polite reply."""
        chat = update.effective_chat
        if chat is not None:
            self._out.send(chat.id, tg_text("text_only", self._lang(update)))

    async def membership(self, update: Update, context: Context) -> None:
        """The customer blocked the bot: mark them blocked so nothing is sent again."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None or change.chat.type != "private":
            return
        if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await self._customers.blocked(str(change.from_user.id))

    async def error(self, update: object, context: Context) -> None:
        """Log what a handler raised, and ask the customer to try again (never a silent tap)."""
        log.error("telegram handler failed: %s", where(context.error))
        if not isinstance(update, Update):
            return
        notice = text("try_again", self._lang(update))
        chat = update.effective_chat
        if update.callback_query is not None:
            await _answer(update.callback_query, notice)
        elif update.message is not None and chat is not None and chat.type == "private":
            self._out.send(chat.id, notice)

    def _lang(self, update: Update) -> str:
        user = update.effective_user
        return self._customers.language(user.language_code if user else None)


async def _answer(query: CallbackQuery, notice: str | None) -> None:
    try:
        await query.answer(notice or None)
    except TelegramError as error:
        log.info("could not answer a callback query: %s", error.message)
