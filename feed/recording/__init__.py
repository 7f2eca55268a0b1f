"""Record any websocket feed to a JSONL file and play it back verbatim.

``format`` (encode/decode with located errors) and ``timeline`` (which frames are
due when, under speed, pause, seek and step) are pure; ``recorder`` and ``player``
drive them over websockets.
"""

from feed.recording.format import Frame, Header, RecordingError, decode, encode_frame, encode_header
from feed.recording.timeline import Timeline

__all__ = [
    "Frame",
    "Header",
    "RecordingError",
    "Timeline",
    "decode",
    "encode_frame",
    "encode_header",
]
