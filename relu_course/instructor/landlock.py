"""Linux Landlock: let the grading kernel write only in its own folders, and signal no one else.

`Landlock <https://docs.kernel.org/userspace-api/landlock.html>`_ is a Linux security module
(kernel 5.13 and later) that lets an unprivileged process restrict itself and every process
it starts, irreversibly. The grading kernel calls :func:`restrict` before it starts, so a
submission cannot write to the course directory, the gradebook, the package or the
instructor's files, and (kernel 6.12 and later) cannot send a signal to the grader.
"""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Sequence

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # syscall numbers, all arches
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights that change something (landlock.h), by the ABI that added them.
_WRITE_FILE, _REMOVE_DIR, _REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
_MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
_REFER, _TRUNCATE = 1 << 13, 1 << 14
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when Landlock is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def restrict(writable: Sequence[str], devices: str = "/dev") -> str:
    """Forbid this process and its children writes outside ``writable`` and signals outside.

    Args:
        writable: folders in which everything stays allowed (created beforehand).
        devices: a folder where writing to existing files stays allowed (``/dev/null``).

    Returns:
        ``""`` when the restriction is in force, otherwise why not (one line): Landlock is
        missing (not Linux, kernel older than 5.13, or disabled).
    """
    abi = abi_version()
    if abi < 1:
        return "Linux Landlock is not available on this system"
    write = _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE
    write |= _REFER if abi >= 2 else 0
    write |= _TRUNCATE if abi >= 3 else 0
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    # struct landlock_ruleset_attr {u64 handled_access_fs, handled_access_net, scoped}
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    attr = ctypes.create_string_buffer(struct.pack("QQQ", write, 0, scoped)[:size], size)
    libc = ctypes.CDLL(None, use_errno=True)
    ruleset = libc.syscall(_CREATE_RULESET, attr, ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return f"Landlock refused the rules ({os.strerror(ctypes.get_errno())})"
    try:
        rules = [(path, write) for path in writable]
        rules.append((devices, _WRITE_FILE | (_TRUNCATE if abi >= 3 else 0)))
        for path, access in rules:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                # struct landlock_path_beneath_attr {u64 allowed_access; s32 parent_fd} (packed)
                rule = ctypes.create_string_buffer(struct.pack("=Qi", access, fd), 12)
                if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, 0) < 0:
                    return f"Landlock refused {path} ({os.strerror(ctypes.get_errno())})"
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
            return f"no_new_privs refused ({os.strerror(ctypes.get_errno())})"
        if libc.syscall(_RESTRICT_SELF, ruleset, 0) < 0:
            return f"Landlock refused to restrict ({os.strerror(ctypes.get_errno())})"
    finally:
        os.close(ruleset)
    return ""
