"""A rich live blog for the terminal: ``racefeed watch`` draws its screen with this."""

from clients.terminal.blog import LiveBlog
from clients.terminal.screen import COMMENTARY_LINES, Screen
from clients.terminal.view import play_log, watch_feed

__all__ = ["COMMENTARY_LINES", "LiveBlog", "Screen", "play_log", "watch_feed"]
