/* A UDP echo server that works in batches, for step's tests: waits with
 * poll(), takes every datagram queued in one recvmmsg(), and sends each
 * back to its sender in one sendmmsg().
 *
 * Usage: batch_server   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BATCH = 4, SIZE = 64 };

int main(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) < 0)
		return 1;
	struct pollfd readable = { .fd = fd, .events = POLLIN };
	if (poll(&readable, 1, -1) != 1)
		return 1;
	char buffers[BATCH][SIZE];
	struct iovec iov[BATCH];
	struct sockaddr_in senders[BATCH];
	struct mmsghdr messages[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buffers[i], SIZE };
		messages[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &senders[i],
							     .msg_namelen = sizeof senders[i],
							     .msg_iov = &iov[i],
							     .msg_iovlen = 1 } };
	}
	/* MSG_DONTWAIT: whatever is queued now, not a full batch. */
	int count = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
	if (count <= 0)
		return 1;
	/* Each back to the name the kernel filled in, as long as it came. */
	for (int i = 0; i < count; i++)
		iov[i].iov_len = messages[i].msg_len;
	if (sendmmsg(fd, messages, (unsigned)count, 0) != count)
		return 1;
	close(fd);
	return 0;
}
