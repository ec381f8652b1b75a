/* child — runs a test's body in a forked child, for the tests whose body
 * changes the process for good (enters a user and network namespace,
 * becomes nobody): Criterion's worker is threaded and must stay as it was.
 *
 * The body reports through `child`: child_finish() ends it with a verdict
 * and one message (why it failed or skipped, or figures to log), and
 * run_in_child() turns that into Criterion's pass, fail or skip. */
#ifndef SOCKLAB_TEST_CHILD_H
#define SOCKLAB_TEST_CHILD_H

#include <stddef.h>

enum child_verdict {
	CHILD_PASSED = 0,
	CHILD_FAILED = 1,
	CHILD_SKIPPED = 2,
};

enum { CHILD_MESSAGE_SIZE = 2048, NOBODY_ID = 65534 };

struct child {
	int report_fd;          /* the pipe to the parent */
	const void *argument;
};

void child_finish(const struct child *child, enum child_verdict verdict, const char *format, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

#define child_assert(child, condition, format, ...)                                    \
	do {                                                                            \
		if (!(condition))                                                       \
			child_finish((child), CHILD_FAILED, "line %d: %s: " format,     \
				     __LINE__, #condition, ##__VA_ARGS__);              \
	} while (0)

/* Runs body in a forked child (a body that returns has passed) and
 * returns its verdict, with its message in `message`; a child killed by a
 * signal fails the test. */
enum child_verdict child_run(void (*body)(const struct child *), const void *argument,
			     char *message, size_t size);

/* child_run, the verdict turned into Criterion's; a passing child's
 * message (figures) is logged. */
void run_in_child(void (*body)(const struct child *), const void *argument);

/* Reads what `fd` gives until EOF, at most size - 1 bytes, NUL-terminated. */
size_t child_read_text(int fd, char *text, size_t size);

/* Enters a new user + network namespace with the caller's ids mapped to
 * themselves and lo up, as sandbox_enter does; skips where refused. */
void child_enter_namespace(const struct child *child);

/* Brings this network namespace's lo up. Returns 0 or the errno. */
int child_bring_lo_up(void);

/* Root only: a network namespace of its own (no user namespace), lo up,
 * and receive packet steering on lo set to hand every packet to another
 * CPU than the one this process is then pinned to: what arrives is queued
 * after the call that sent it returned. Skips where that cannot be done.
 * Returns the CPU the packets are steered to. */
int child_steer_lo_to_another_cpu(const struct child *child);

/* Becomes nobody, as a student's process would be. A uid change without
 * exec leaves the process undumpable, and the kernel then gives its
 * /proc/self files to root; a program started with exec is dumpable, so
 * that is restored. Returns 0 or the errno. */
int become_nobody(void);

/* become_nobody, or skip: a root that cannot become nobody (in a user
 * namespace that does not map uid 65534) has no ordinary user to test. */
void child_become_nobody(const struct child *child);

#endif
