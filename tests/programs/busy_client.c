/* A client that computes 2.5 s (no system call) before it connects, for
 * step's tests: a program that computes is waited for, with a bound.
 *
 * Usage: busy_client   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	volatile unsigned long spins = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spins++;
		clock_gettime(CLOCK_MONOTONIC, &now);   /* the vDSO: no system call */
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000
		 < 2500);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
		return 1;
	send(fd, "busy", 4, 0);
	char buffer[64];
	recv(fd, buffer, sizeof buffer, 0);
	close(fd);
	return 0;
}
