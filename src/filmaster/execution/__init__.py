"""Where units of work run: the local process pool (the default) or a Ray cluster (`--executor ray[://HOST:PORT]`).

Only artifacts travel to a worker (a shot request, a cue's recipe); what it makes comes back as bytes, which the
driver writes into the cache atomically. The cache never leaves the machine that runs `filmaster make`.
"""

from .base import Executor, Resources
from .choose import LOCAL, closing_executor, open_executor, parse_executor

__all__ = ["LOCAL", "Executor", "Resources", "closing_executor", "open_executor", "parse_executor"]
