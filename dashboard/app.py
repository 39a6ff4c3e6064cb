"""The Dash app object and its WSGI `server`."""

from dash import Dash

from dashboard import ask_callbacks, callbacks  # noqa: F401 - registers the callbacks
from dashboard.answers import share_answers
from dashboard.compression import compress_answers
from dashboard.layout import build_layout

app = Dash(__name__, title="Online learning dashboard", update_title="")
app.layout = build_layout
server = app.server
answers = share_answers(server)  # first: it keeps the answers as compression leaves them
compress_answers(server)
