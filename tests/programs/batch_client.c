/* A UDP client that sends in a batch, for step's tests: two datagrams in
 * one sendmmsg(), then, once the echo is back (poll), both in one
 * recvmmsg(); prints each.
 *
 * Usage: batch_client   (to 127.0.0.1:65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(65432),
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) < 0)
		return 1;
	struct iovec out[2] = { { "ping", 4 }, { "pong!", 5 } };
	struct mmsghdr batch[2] = { { .msg_hdr = { .msg_iov = &out[0], .msg_iovlen = 1 } },
				    { .msg_hdr = { .msg_iov = &out[1], .msg_iovlen = 1 } } };
	if (sendmmsg(fd, batch, 2, 0) != 2)
		return 1;
	struct pollfd readable = { .fd = fd, .events = POLLIN };
	if (poll(&readable, 1, -1) != 1)
		return 1;
	char buffers[2][64];
	struct iovec in[2] = { { buffers[0], sizeof buffers[0] },
			       { buffers[1], sizeof buffers[1] } };
	struct mmsghdr echoes[2] = { { .msg_hdr = { .msg_iov = &in[0], .msg_iovlen = 1 } },
				     { .msg_hdr = { .msg_iov = &in[1], .msg_iovlen = 1 } } };
	/* MSG_DONTWAIT: both echoes are queued once poll() says one is. */
	int count = recvmmsg(fd, echoes, 2, MSG_DONTWAIT, NULL);
	for (int i = 0; i < count; i++)
		printf("Received %.*s\n", (int)echoes[i].msg_len, buffers[i]);
	fflush(stdout);
	close(fd);
	return count == 2 ? 0 : 1;
}
