"""File uploads the way ``files_upload_v2`` does them: get a URL, POST the bytes, complete."""

from __future__ import annotations

from pulse_mirror.sandbox.slack.calls import JSON, Call, SlackError
from pulse_mirror.sandbox.slack.state import BOT_USER_ID, Message, UploadedFile, Workspace

UPLOAD_PATH = "/upload/v1/"


def get_upload_url(ws: Workspace, call: Call) -> JSON:
    """files.getUploadURLExternal: a file id and the URL to POST its bytes to."""
    filename = call.text("filename")
    if filename is None:
        raise SlackError("invalid_arguments")
    length = call.integer("length", -1)
    if length < 1:
        raise SlackError("invalid_arguments")
    upload = UploadedFile(id=ws.new_id("F"), filename=filename, length=length)
    ws.files[upload.id] = upload
    return {
        "ok": True,
        "upload_url": f"{call.base_url.rstrip('/')}{UPLOAD_PATH}{upload.id}",
        "file_id": upload.id,
    }


def receive_bytes(ws: Workspace, file_id: str, data: bytes) -> tuple[int, str]:
    """The upload URL: store the bytes; Slack answers ``OK - <length>`` as plain text."""
    upload = ws.files.get(file_id)
    if upload is None or upload.completed:
        return 404, "Not Found"
    upload.data = data
    return 200, f"OK - {len(data)}"


def complete_upload(ws: Workspace, call: Call) -> JSON:
    """files.completeUploadExternal: finish the uploads and share them to a channel."""
    entries = call.structured("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    targets = [c for c in [call.text("channel_id"), *(call.text("channels") or "").split(",")] if c]
    channels = []
    for ref in targets:
        # Only ids here, as in Slack: a "#name" is not resolved for a file share.
        channel = ws.channels.get(ref) or (ws.resolve_channel(ref) if ref in ws.users else None)
        if channel is None:
            raise SlackError("channel_not_found")
        if not channel.is_im and not channel.bot_member:
            raise SlackError("not_in_channel")
        channels.append(channel)
    uploads: list[UploadedFile] = []
    for entry in entries:
        upload = ws.files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if upload is None or upload.data is None or upload.completed:
            raise SlackError("file_not_found")
        uploads.append(upload)
    for upload, entry in zip(uploads, entries, strict=True):
        upload.title = str(entry.get("title") or upload.filename)
        upload.completed = True
        upload.channels = [c.id for c in channels]
    for channel in channels:
        ws.messages.append(
            Message(
                channel=channel.id,
                ts=ws.new_ts(),
                user=BOT_USER_ID,
                text=call.text("initial_comment", "") or "",
                thread_ts=call.text("thread_ts"),
                files=[u.to_api() for u in uploads],
            )
        )
    return {"ok": True, "files": [u.to_api() for u in uploads]}
