"""No network in a query worker, enforced by the kernel (seccomp).

The policy check refuses SERVICE and remote graphs from a real parse; this is the
layer underneath it. A worker installs, before it opens the dataset, a seccomp
filter under which creating any socket fails with EACCES (`socket`,
`socketpair`), as do io_uring (which could create sockets without those calls)
and every system call of a foreign ABI (x32, or 32-bit calls on a 64-bit kernel,
where `socketcall` would be a way around). The worker keeps the socket it was
started with, already connected to the server; nothing it is asked to run can
reach another machine, or another process on this one.

The filter cannot be removed by the process, is kept across exec and inherited
by every thread and child started afterwards.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

# <linux/filter.h>, <linux/seccomp.h>, <linux/audit.h>
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_OFFSET_NR, _OFFSET_ARCH, _OFFSET_ARG0 = 0, 4, 16
_X32_SYSCALL_BIT = 0x40000000

#: arch -> (AUDIT_ARCH value, socket, socketpair, io_uring_setup syscall numbers)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 53, 425),
    "aarch64": (0xC00000B7, 198, 199, 425),
}


class SandboxError(Exception):
    """The kernel refused the filter (then the worker does not start)."""


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def network_filter(machine: str | None = None) -> bytes:
    """The BPF program: no new socket of any kind, no io_uring, no foreign-ABI calls."""
    arch, sys_socket, sys_socketpair, sys_io_uring = _ARCHES[machine or platform.machine()]
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    # a conditional jump skips jt (when true) or jf (when false) instructions
    program = [
        _instruction(_BPF_LD_W_ABS, _OFFSET_ARCH),          # 0
        _instruction(_BPF_JEQ_K, arch, jt=1),               # 1: native ABI -> 3
        _instruction(_BPF_RET_K, deny),                      # 2: any other ABI
        _instruction(_BPF_LD_W_ABS, _OFFSET_NR),            # 3
        _instruction(_BPF_JGE_K, _X32_SYSCALL_BIT, jt=4),   # 4: x32 call -> 9
        _instruction(_BPF_JEQ_K, sys_io_uring, jt=3),       # 5 -> 9
        _instruction(_BPF_JEQ_K, sys_socket, jt=2),         # 6 -> 9
        _instruction(_BPF_JEQ_K, sys_socketpair, jt=1),     # 7 -> 9
        _instruction(_BPF_RET_K, _SECCOMP_RET_ALLOW),        # 8
        _instruction(_BPF_RET_K, deny),                      # 9
    ]
    return b"".join(program)


def forbid_network() -> None:
    """Install the filter on this process for good (raises SandboxError if impossible)."""
    if platform.system() != "Linux" or platform.machine() not in _ARCHES:
        raise SandboxError(f"no network sandbox for {platform.system()} {platform.machine()}")
    program = network_filter()
    count = len(program) // 8
    buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(count, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS) failed: {_errno_text()}")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise SandboxError(f"seccomp filter refused: {_errno_text()}")


def is_sandboxed(pid: int | str = "self") -> bool:
    """Whether a process runs under a seccomp filter (read from /proc)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return any(line.split() == ["Seccomp:", "2"] for line in status)
    except OSError:
        return False


def _errno_text() -> str:
    code = ctypes.get_errno()
    return f"{errno.errorcode.get(code, code)}"
