/* host_port — a TCP port for a test that runs on the host's network.
 *
 * Below the kernel's ephemeral range (32768-60999 by default): no
 * connection the machine makes takes it as its local port, which would
 * make the test's bind() fail. The process id spreads concurrent tests. */
#ifndef SOCKLAB_TESTS_HOST_PORT_H
#define SOCKLAB_TESTS_HOST_PORT_H

#include <unistd.h>

static inline int host_test_port(void)
{
	return 20000 + (int)(getpid() % 12000);
}

#endif
