import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # [31mred[0m ]0;title
s.close()
