"""A rich live blog for the terminal: ``racefeed watch`` draws its screen with this."""

from clients.terminal.view import COMMENTARY_LINES, LiveBlog, play_log, watch_feed

__all__ = ["COMMENTARY_LINES", "LiveBlog", "play_log", "watch_feed"]
