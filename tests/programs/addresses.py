# Asks for an address as a client does before connect() (numeric: no name
# service is asked); AI_ADDRCONFIG makes getaddrinfo open a netlink socket
# to the kernel first, to learn which families the machine has. For
# step's tests.
import socket

print(socket.getaddrinfo("127.0.0.1", 65432, 0, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)[0][4])
