# Asks which addresses "localhost" has, as a client does before connect():
# getaddrinfo opens a netlink socket to the kernel (AI_ADDRCONFIG), for
# step's tests.
import socket

print(socket.getaddrinfo("localhost", 65432, 0, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)[0][4])
