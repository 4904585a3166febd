"""Where the bridge gets its tokens: a chain with a clear end.

1. ``$OPENEO_AUTH_TRAY_SOCK`` (set by ``eval "$(openeo-auth-tray agent)"``, or by hand for a forward);
2. the agent's default socket (:func:`agent_socket_path`, the same rule as the app's);
3. when 1 is not set and 2 is absent (a remote machine): the newest forwarded socket
   ``/tmp/openeo-auth-tray-forward-*.sock`` that belongs to this user (``openeo-auth-tray forward``
   and ``ssh -R`` put it there);
4. the ``openeo-auth-tray`` command line (``$OPENEO_AUTH_TRAY_CLI``, or on the PATH);
5. :class:`NoTokenSource`, saying what to start.

Each request walks the chain anew: an agent that is absent (no socket, nobody listening) passes
to the next link; an agent that answers a failure ends the walk with that failure. Windows has no
agent: only the command line.
"""

import os
import posixpath
import re
import stat
import sys
import tempfile
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from . import _agent, _app_version, _cli
from ._token import Token
from .errors import CliNotFound, NoTokenSource

ENV_SOCK = "OPENEO_AUTH_TRAY_SOCK"
ENV_AGENT_DIR = "OPENEO_AUTH_TRAY_AGENT_DIR"
ENV_HOME = "OPENEO_AUTH_TRAY_HOME"
APP_FOLDER = "openeo-auth-tray"
SOCKET_NAME = "agent.sock"
#: What ``openeo-auth-tray forward`` names a socket on the remote machine.
FORWARD_NAME = re.compile(r"openeo-auth-tray-forward-[0-9A-Za-z_-]{1,64}\.sock")
#: Where forwarded sockets appear (OpenSSH creates them where ``ssh -R`` says: /tmp).
FORWARD_FOLDERS: Tuple[str, ...] = ()  # empty: /tmp and tempfile.gettempdir()
#: Forwarded sockets tried per request, newest first (older ones are usually left from ended sessions).
MAX_FORWARDS = 4
#: Entries of a forward folder looked at, at most (/tmp can be large).
MAX_FOLDER_ENTRIES = 100_000
START_AGENT = 'Start openEO Auth Tray, or run: eval "$(openeo-auth-tray agent)"'

#: What JavaScript's String.prototype.trim() removes, so that a path here is the app's to the byte.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _env_value(env: Mapping[str, str], name: str, absolute: bool = False) -> Optional[str]:
    value = (env.get(name) or "").strip(_JS_SPACE)
    if not value or (absolute and not value.startswith("/")):
        return None
    return value


def _join(*parts: str) -> str:
    """Node's ``path.posix.join``: joined with ``/`` and normalized (``//x`` is ``/x`` there too)."""
    joined = posixpath.normpath("/".join(p for p in parts if p) or ".")
    return joined[1:] if joined.startswith("//") else joined


def _home(env: Mapping[str, str]) -> str:
    """Node's ``os.homedir()``: ``$HOME`` when set, else the password database's."""
    if "HOME" in env:
        return env["HOME"]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return os.path.expanduser("~")


def agent_socket_path(env: Optional[Mapping[str, str]] = None, platform: Optional[str] = None, home: Optional[str] = None) -> Optional[str]:
    """The agent's main socket, by the rule of ``agentSocketPath()`` in the app
    (``src/main/core/agent/agent-folder.ts``); None on Windows (no agent there).

    ``$OPENEO_AUTH_TRAY_AGENT_DIR``; else (not macOS) an absolute ``$XDG_RUNTIME_DIR`` +
    ``/openeo-auth-tray``; else (macOS) an absolute ``$TMPDIR`` + ``/openeo-auth-tray``; else the
    settings folder + ``/agent``; then ``/agent.sock``. The settings folder:
    ``$OPENEO_AUTH_TRAY_HOME``, else macOS ``~/Library/Application Support/openeo-auth-tray``,
    else an absolute ``$XDG_CONFIG_HOME`` (or ``~/.config``) + ``/openeo-auth-tray``."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        return None
    folder = _env_value(env, ENV_AGENT_DIR)
    if folder is None:
        runtime = _env_value(env, "XDG_RUNTIME_DIR", absolute=True)
        tmp = _env_value(env, "TMPDIR", absolute=True)
        if platform != "darwin" and runtime:
            folder = _join(runtime, APP_FOLDER)
        elif platform == "darwin" and tmp:
            folder = _join(tmp, APP_FOLDER)
        else:
            home = _home(env) if home is None else home
            settings = _env_value(env, ENV_HOME)
            if settings is None and platform == "darwin":
                settings = _join(home, "Library", "Application Support", APP_FOLDER)
            elif settings is None:
                settings = _join(_env_value(env, "XDG_CONFIG_HOME", absolute=True) or _join(home, ".config"), APP_FOLDER)
            folder = _join(settings, "agent")
    return _join(folder, SOCKET_NAME)


def forward_folders() -> List[str]:
    """Where forwarded sockets are looked for: /tmp, and the temp folder if it is another."""
    if FORWARD_FOLDERS:
        return list(FORWARD_FOLDERS)
    folders = ["/tmp"]
    other = tempfile.gettempdir()
    if os.path.realpath(other) != os.path.realpath("/tmp"):
        folders.append(other)
    return folders


def forwarded_sockets(folders: Optional[Sequence[str]] = None, uid: Optional[int] = None) -> List[str]:
    """This user's forwarded sockets, newest (mtime) first: ``openeo-auth-tray-forward-*.sock``
    that are sockets (not links to one) owned by ``uid``. Anything else is ignored: a socket
    someone else put there could hand out tokens of theirs, or collect requests."""
    uid = os.getuid() if uid is None else uid
    found: List[Tuple[float, str]] = []
    for folder in forward_folders() if folders is None else folders:
        try:
            with os.scandir(folder) as entries:
                for n, entry in enumerate(entries):
                    if n >= MAX_FOLDER_ENTRIES:
                        break
                    if not FORWARD_NAME.fullmatch(entry.name):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISSOCK(st.st_mode) and st.st_uid == uid:
                        found.append((st.st_mtime, entry.path))
        except OSError:
            continue
    found.sort(key=lambda f: f[0], reverse=True)
    return [path for _, path in found]


class TokenChain:
    """The bridge's transport: ``fetch(identity=, backend=, min_valid=, refused=)`` walks the chain for one
    token. Built from the environment once (per ``connect()``); ``key`` tells chains apart."""

    def __init__(
        self,
        env: Optional[Mapping[str, str]] = None,
        *,
        platform: Optional[str] = None,
        folders: Optional[Sequence[str]] = None,
        which: Optional[Callable[[str], Optional[str]]] = None,
    ):
        env = dict(os.environ if env is None else env)
        platform = sys.platform if platform is None else platform
        self._env = env
        self._which = which
        self._folders = None if folders is None else list(folders)
        self.sock = None if platform == "win32" else _env_value(env, ENV_SOCK)
        self.default = agent_socket_path(env, platform)
        self.timeout = _cli.default_timeout(env)
        self.key = (self.sock, self.default, tuple(self._folders or ()), env.get(_cli.ENV_CLI, "").strip())
        #: Agent sockets (path, device, inode, change time) whose agent said it is new enough: asked once each.
        self._current_agents: set = set()

    def _agents(self):
        """The agent sockets to try, in order, with their origin; forwards only when needed."""
        if self.sock:
            yield self.sock, ENV_SOCK
        if self.default and self.default != self.sock:
            yield self.default, "default"
            if not self.sock:
                for path in forwarded_sockets(self._folders)[:MAX_FORWARDS]:
                    yield path, "forward"

    def _find_cli(self) -> Optional[List[str]]:
        """The CLI's command; None when it is neither configured nor on the PATH. A configured
        one that is not a valid command line is :class:`CliNotFound`."""
        kwargs = {} if self._which is None else {"which": self._which}
        try:
            return _cli.find_cli(self._env, **kwargs)
        except CliNotFound:
            if self._env.get(_cli.ENV_CLI, "").strip():
                raise
            return None

    def fetch(self, *, identity: Optional[str], min_valid: Optional[float], backend: Optional[str] = None, refused: Optional[str] = None) -> Token:
        absent: List[Tuple[str, _agent.AgentAbsent]] = []
        for path, origin in self._agents():
            try:
                self._check_agent(path)
                return _agent.request_token(path, identity=identity, backend=backend, min_valid=min_valid, refused=refused, timeout=self.timeout)
            except _agent.AgentAbsent as e:
                absent.append((origin, e))
        cli = self._find_cli()
        if cli is not None:
            return _cli.request_token(cli, identity=identity, backend=backend, min_valid=min_valid, refused=refused, timeout=self.timeout)
        raise self._nothing(absent)

    def _check_agent(self, path: str) -> None:
        """Asks the agent at ``path`` what it is, once per socket (a restarted agent's socket is a
        new one, told apart by its inode and change time: a freed inode is soon reused):
        :class:`UpdateRequired` when it is older than this package needs."""
        try:
            st = os.stat(path)
        except OSError:
            return  # nothing there: the token request says so (AgentAbsent)
        key = (path, st.st_dev, st.st_ino, st.st_ctime_ns)
        if key in self._current_agents:
            return
        _app_version.check_agent_info(_agent.request_info(path, timeout=self.timeout), _cli.clean_line(path))
        self._current_agents.add(key)

    def _nothing(self, absent: List[Tuple[str, "_agent.AgentAbsent"]]) -> NoTokenSource:
        no_cli = f"the {_cli.CLI_NAME} command is not on the PATH (or set {_cli.ENV_CLI} to the command that runs it)"
        if self.default is None:  # Windows
            return NoTokenSource(f"Start openEO Auth Tray: {no_cli}.", code="AGENT_UNAVAILABLE")
        for origin, e in absent:
            if origin == ENV_SOCK:
                return NoTokenSource(
                    f"The openEO Auth Tray agent at {_cli.clean_line(e.path)} ({ENV_SOCK}) is gone ({e.why}): if it was a forward from "
                    "your computer, the forward or its ssh connection has ended. Start a new forward there (openeo-auth-tray forward) and "
                    'connect again with the ssh command it prints, or start an agent here: eval "$(openeo-auth-tray agent)". '
                    f"(The {_cli.CLI_NAME} command, which would be used instead, is not on the PATH either, and {_cli.ENV_CLI} is not set.)",
                    code="AGENT_UNAVAILABLE",
                )
        looked = [_cli.clean_line(e.path) for origin, e in absent if origin != "forward"] or [_cli.clean_line(self.default)]
        if self.sock:
            forwards = ""
        else:
            tried = sum(1 for origin, _ in absent if origin == "forward")
            folders = ", ".join(_cli.clean_line(f) for f in (self._folders or forward_folders()))
            forwards = f", nor a forwarded socket in {folders}" + (f" ({tried} tried)" if tried else "")
        return NoTokenSource(f"No openEO Auth Tray agent answers at {', '.join(looked)}{forwards}; {no_cli}. {START_AGENT}", code="AGENT_UNAVAILABLE")
