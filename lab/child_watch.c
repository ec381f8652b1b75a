/* child_watch — one SIGCHLD shared by every tracer of the lab. */
#include "child_watch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

enum { WATCHES_MAX = 16 };

static int signal_fd = -1;
static int watches[WATCHES_MAX];
static int watch_count;

/* A child the lab forks starts with SIGCHLD as the lab had it before
 * tracing: a shell or a puppet must get its own children's SIGCHLD. */
static void unblock_in_child(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
}

static int open_signal_fd(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (pthread_sigmask(SIG_BLOCK, &chld, NULL) != 0)
		return -1;
	signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd < 0)
		return -1;
	pthread_atfork(NULL, NULL, unblock_in_child);
	return 0;
}

int child_watch_open(void)
{
	if (watch_count == WATCHES_MAX) {
		errno = EMFILE;
		return -1;
	}
	if (signal_fd < 0 && open_signal_fd() < 0)
		return -1;
	int watch = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (watch < 0)
		return -1;
	/* Orphans of a traced program (a shell's background job, once the
	 * shell is killed) come to the lab, which reaps them, instead of to an
	 * init that may not. */
	if (watch_count == 0)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	watches[watch_count++] = watch;
	return watch;
}

int child_watch_signal_fd(void)
{
	return signal_fd;
}

void child_watch_poke(int watch)
{
	uint64_t one = 1;
	while (write(watch, &one, sizeof one) < 0 && errno == EINTR)
		;
}

bool child_watch_take(int watch)
{
	struct signalfd_siginfo info[16];
	ssize_t n;
	/* SIGCHLD is a standard signal: pending once however many came. */
	while ((n = read(signal_fd, info, sizeof info)) < 0 && errno == EINTR)
		;
	bool signalled = n > 0;
	if (signalled)
		for (int i = 0; i < watch_count; i++)
			if (watches[i] != watch)
				child_watch_poke(watches[i]);
	uint64_t count = 0;
	while (read(watch, &count, sizeof count) < 0 && errno == EINTR)
		;
	return signalled || count > 0;
}

void child_watch_close(int watch)
{
	for (int i = 0; i < watch_count; i++)
		if (watches[i] == watch) {
			watches[i] = watches[--watch_count];
			if (watch_count == 0)
				prctl(PR_SET_CHILD_SUBREAPER, 0);
			break;
		}
	close(watch);
}
