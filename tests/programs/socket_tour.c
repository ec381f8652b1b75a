/* One of each kind of socket call the tracer decodes, for its tests:
 * a socketpair with read/write, sendmsg/recvmsg, ppoll, pselect, options,
 * shutdown; a UDP datagram sent to an address and received from one,
 * then two in one sendmmsg and back in one recvmmsg.
 * ppoll and pselect rather than poll and select: the same system calls on
 * x86-64 and aarch64. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	int pair[2];
	char buffer[64];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return 1;
	if (write(pair[0], "ping\n", 5) != 5 || read(pair[1], buffer, sizeof buffer) != 5)
		return 1;
	struct iovec out[2] = { { "two ", 4 }, { "parts", 5 } };
	struct msghdr message = { .msg_iov = out, .msg_iovlen = 2 };
	if (sendmsg(pair[0], &message, MSG_NOSIGNAL) != 9)
		return 1;
	struct pollfd ready = { .fd = pair[1], .events = POLLIN };
	struct timespec second = { .tv_sec = 1 };
	if (ppoll(&ready, 1, &second, NULL) != 1)
		return 1;
	fd_set readable;
	FD_ZERO(&readable);
	FD_SET(pair[1], &readable);
	if (pselect(pair[1] + 1, &readable, NULL, NULL, &second, NULL) != 1)
		return 1;
	struct iovec in = { buffer, sizeof buffer };
	struct msghdr received = { .msg_iov = &in, .msg_iovlen = 1 };
	if (recvmsg(pair[1], &received, 0) != 9)
		return 1;
	int type = 0;
	socklen_t len = sizeof type;
	getsockopt(pair[0], SOL_SOCKET, SO_TYPE, &type, &len);
	struct linger linger = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(pair[0], SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
	shutdown(pair[0], SHUT_WR);
	close(pair[0]);
	close(pair[1]);

	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in self = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	len = sizeof self;
	if (bind(udp, (struct sockaddr *)&self, sizeof self) < 0
	    || getsockname(udp, (struct sockaddr *)&self, &len) < 0)
		return 1;
	sendto(udp, "datagram", 8, 0, (struct sockaddr *)&self, sizeof self);
	struct sockaddr_in from;
	len = sizeof from;
	if (recvfrom(udp, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &len) != 8)
		return 1;
	/* Two datagrams to itself in one call, both back in one (MSG_DONTWAIT: no full
	 * batch awaited). */
	struct iovec parts[2] = { { "one", 3 }, { "three", 5 } };
	struct mmsghdr batch[2] = {
		{ .msg_hdr = { .msg_name = &self,
			       .msg_namelen = sizeof self,
			       .msg_iov = &parts[0],
			       .msg_iovlen = 1 } },
		{ .msg_hdr = { .msg_name = &self,
			       .msg_namelen = sizeof self,
			       .msg_iov = &parts[1],
			       .msg_iovlen = 1 } },
	};
	if (sendmmsg(udp, batch, 2, 0) != 2)
		return 1;
	char inbox[3][16];
	struct iovec into[3] = { { inbox[0], 16 }, { inbox[1], 16 }, { inbox[2], 16 } };
	struct mmsghdr received_batch[3] = {
		{ .msg_hdr = { .msg_iov = &into[0], .msg_iovlen = 1 } },
		{ .msg_hdr = { .msg_iov = &into[1], .msg_iovlen = 1 } },
		{ .msg_hdr = { .msg_iov = &into[2], .msg_iovlen = 1 } }
	};
	if (recvmmsg(udp, received_batch, 3, MSG_DONTWAIT, NULL) != 2)
		return 1;
	close(udp);
	return 0;
}
