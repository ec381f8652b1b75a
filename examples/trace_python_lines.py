"""Run a Python program and say, before each of its socket calls, which
line of the program made it.

    python3 trace_python_lines.py echo-server.py [args...]

socklab's tracer runs Python programs through this file (see
tracer_python_argv in lab/tracer.c). The tracer stops the program at the
system call itself; this reporter only tells it which source line was
running, over the pipe the tracer names in SOCKLAB_LINE_FD. Each report is
one line, "TID FILE:LINE: SOURCE\\n"; "TID -" clears it when the program's
own code is done (what the interpreter closes while shutting down has no
line of yours).

How: sys.setprofile sees every call of a built-in function just before it
runs ("c_call"). The calls that reach the kernel's socket layer are the
methods of _socket.socket (bind, listen, _accept, recv, sendall, close,
...), the functions of the _socket and select modules, the methods of the
select module's objects (poll(), epoll, devpoll, kqueue: what selectors
and asyncio wait in), and os.close, os.read and os.write, which the
tracer shows when their fd is a socket's. For those, the reporter walks
out of the standard library (socket.py's accept() calls _accept();
leaving a `with` block calls __exit__, close, _real_close; selectors'
select() calls epoll.poll) to the first frame in the program's own files,
the innermost, and writes that line. The audit hook adds socket.__new__,
which a profile function does not see (socket.socket() reaches the C
constructor through type.__call__).

A line holds for its call only: when the call returns ("c_return",
"c_exception"; for socket.__new__, at the thread's next profile event),
the reporter clears it, so that a socket call nobody reported (a socket
the garbage collector closes) shows no line rather than the last one. A
reported call inside another (select.select calling a Python fileno()
that calls sock.fileno()) gives the outer line back when it returns.

Why not sys.settrace: a line event for every line run, and nothing says
which of them reached the kernel. Why not audit hooks alone: there are
none for accept, recv, send, sendall, listen or close. Why not reading the
interpreter's frame from the tracee's memory: it depends on the exact
CPython version's structures. The cost here is one Python-level check per
function call, and two writevs (which the tracer does not stop at) per
socket call.

What the tutorial's calls become (CPython 3.11 on Linux, as the tracer
shows them; the tests in tests/test_tracer.c hold it to this):

    with socket.socket(AF_INET, SOCK_STREAM) as s:
                               socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
    s.bind((HOST, PORT))       bind(3, {AF_INET, 127.0.0.1:65432}, 16)
    s.listen()                 listen(3, 128): Python's default backlog, min(SOMAXCONN, 128)
    conn, addr = s.accept()    accept4(3, ..., SOCK_CLOEXEC) = 4, then getsockname(4, ...):
                               socket(fileno=4) asks the kernel what the new fd is
    s.connect((HOST, PORT))    connect(3, {AF_INET, 127.0.0.1:65432}, 16)
    conn.sendall(data)         sendto(4, data, n, 0, NULL, 0), again while part is left
    data = conn.recv(1024)     recvfrom(4, ..., 1024, 0, NULL, NULL)
    leaving `with conn:`       close(4), reported on the `with` line
"""

import os
import sys


def _install(fd):
    import _socket
    import linecache
    import select
    import sysconfig
    import threading

    library = tuple(
        os.path.realpath(path) + os.sep
        for path in {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    )
    this_file = os.path.realpath(__file__)
    modules = (_socket, select)
    # Whose methods reach the kernel: sockets, and the select module's
    # objects. poll() returns an object of a type the module does not
    # name; devpoll() (Solaris) too, which is_socket_call finds by module.
    pollers = (type(select.poll()),) if hasattr(select, "poll") else ()
    watched_types = (_socket.socket,) + pollers + tuple(
        value for value in vars(select).values() if isinstance(value, type) and value.__module__ == "select"
    )
    fd_functions = (os.close, os.read, os.write)
    known_files = {}
    inside = {}  # native thread id -> the lines of the reported calls it is inside, innermost last
    constructing = set()  # threads whose socket.__new__ line shows until they go on

    def is_own_file(filename):
        own = known_files.get(filename)
        if own is None:
            own = not filename.startswith("<") and is_outside_library(filename)
            known_files[filename] = own
        return own

    def is_outside_library(filename):
        try:
            real = os.path.realpath(filename)
        except OSError:
            # A relative name with the working directory gone (as in the
            # lab's sandbox): the library's names are absolute.
            return True
        return real != this_file and not real.startswith(library)

    def is_socket_call(function):
        owner = getattr(function, "__self__", None)
        return (
            isinstance(owner, watched_types)
            or owner in modules
            or type(owner).__module__ == "select"
            or function in fd_functions
        )

    def line_of(frame):
        innermost = frame
        while frame is not None and not is_own_file(frame.f_code.co_filename):
            frame = frame.f_back
        frame = frame or innermost
        filename = frame.f_code.co_filename
        line = frame.f_lineno
        source = linecache.getline(filename, line).strip()
        return f"{os.path.basename(filename)}:{line}: {source}"

    def send(tid, text):
        try:
            # writev: a call the tracer lets run without stopping.
            os.writev(fd, [f"{tid} {text}\n".encode("utf-8", "replace")])
        except OSError:
            pass

    def enter(frame):
        tid = threading.get_native_id()
        text = line_of(frame)
        inside.setdefault(tid, []).append(text)
        send(tid, text)

    def leave(tid):
        lines = inside.get(tid)
        if lines:
            lines.pop()
            send(tid, lines[-1] if lines else "-")
            if not lines:
                del inside[tid]  # threads come and go: keep none that is outside

    def went_on(tid):
        constructing.discard(tid)
        lines = inside.get(tid)
        send(tid, lines[-1] if lines else "-")

    def on_call(frame, event, function):
        if not active:
            return
        if constructing:
            tid = threading.get_native_id()
            if tid in constructing:
                went_on(tid)
        if event == "c_call":
            if is_socket_call(function):
                enter(frame)
        elif event in ("c_return", "c_exception") and is_socket_call(function):
            leave(threading.get_native_id())

    def on_audit(event, args):
        if event == "socket.__new__" and active:
            tid = threading.get_native_id()
            send(tid, line_of(sys._getframe(1)))
            # The hook runs unprofiled: the thread's next profile event is
            # after the call.
            constructing.add(tid)

    def stop():
        # Audit hooks cannot be removed: this one just goes quiet.
        nonlocal active
        active = False
        sys.setprofile(None)
        threading.setprofile(None)
        send(threading.get_native_id(), "-")

    active = True
    sys.addaudithook(on_audit)
    threading.setprofile(on_call)
    sys.setprofile(on_call)
    return stop


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: trace_python_lines.py SCRIPT [ARGS...]\n")
        sys.exit(2)
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    fd = int(os.environ.get("SOCKLAB_LINE_FD", "-1"))
    stop = _install(fd) if fd >= 0 else None
    import runpy

    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()
