# An echo server waiting in a poll object and in a selector, for step's
# tests: each wait's source line is the line that waits, not the one that
# made or filled the object; the close the garbage collector makes, which
# no line of the program calls, shows no line rather than the last one.
import os
import select
import selectors
import socket

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 65432))
s.listen()
p = select.poll()
p.register(s, select.POLLIN)
ready = p.poll()
conn, addr = s.accept()
sel = selectors.DefaultSelector()
sel.register(conn, selectors.EVENT_READ)
for key, events in sel.select():
    conn.sendall(conn.recv(1024))
sel.unregister(conn)
sel.close()
del key, conn  # the last references: the collector closes fd 4
fd = s.detach()
os.close(fd)
