"""A rich live blog for the terminal: ``racefeed watch`` draws its screen with this."""

from feed.terminal.blog import LiveBlog
from feed.terminal.screen import COMMENTARY_LINES, Screen
from feed.terminal.view import play_log, watch_feed

__all__ = ["COMMENTARY_LINES", "LiveBlog", "Screen", "play_log", "watch_feed"]
