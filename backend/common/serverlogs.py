"""What the ASGI server logs about sockets, made fit for our logs (asgi.py installs it).

uvicorn logs, on its `uvicorn.error` logger:
- the path of every socket it accepts or refuses, query string included: a mobile app's
  one-time ticket (`?ticket=...`) would land in the logs, which never hold tickets;
- a full traceback for every text frame that is not valid UTF-8, which a client can send
  at will; the socket is closed with 1007, as the contract says, and one line is enough.
"""

import logging
import re

_TICKET = re.compile(r"(ticket=)[^&\s\"']*")
_INVALID_UTF8 = "Invalid UTF-8 sequence received from client."


class SocketLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == _INVALID_UTF8:
            # A client's fault, not ours: no traceback, and below WARNING.
            record.msg = "A client sent a text frame that is not valid UTF-8: its socket was closed with 1007."
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        if isinstance(record.args, tuple) and any(isinstance(arg, str) and "ticket=" in arg for arg in record.args):
            record.args = tuple(_TICKET.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install() -> None:
    logging.getLogger("uvicorn.error").addFilter(SocketLogFilter())
