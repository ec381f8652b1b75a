/* quiz — predictions before a step, scored against what the kernel did. */
#include "quiz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "address.h"
#include "catalog.h"
#include "text.h"

const char *const quiz_states[] = {
	"LISTEN", "SYN-SENT", "SYN-RECV", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
	"CLOSING", "LAST-ACK", "TIME-WAIT", "BOUND", "UNCONN", "gone",
};
const size_t quiz_state_count = sizeof quiz_states / sizeof quiz_states[0];

/* ---- what each call can do --------------------------------------------- */

enum template_kind {
	TEMPLATE_END,          /* the row ends */
	TEMPLATE_SUCCESS,      /* the call's success, as its result kind reads (see add_success) */
	TEMPLATE_BLOCKS,
	TEMPLATE_FAILS,
	TEMPLATE_ZERO,         /* returns 0: the peer closed (recv), an empty datagram,
	                          nothing ready (poll) */
};

struct answer_template {
	enum template_kind kind;
	int error;             /* TEMPLATE_FAILS */
};

#define SUCCESS { TEMPLATE_SUCCESS, 0 }
#define BLOCKS { TEMPLATE_BLOCKS, 0 }
#define ZERO { TEMPLATE_ZERO, 0 }
#define FAILS(error_) { TEMPLATE_FAILS, error_ }
#define TEMPLATES_MAX 5

/* The answers offered for each call besides the lesson's own: its success,
 * whether it can sleep, and the errnos students meet with it. */
static const struct answer_template answer_table[CALL_COUNT][TEMPLATES_MAX] = {
	[CALL_SOCKET] = { SUCCESS, FAILS(EMFILE), FAILS(EAFNOSUPPORT), FAILS(EPROTONOSUPPORT) },
	[CALL_BIND] = { SUCCESS, FAILS(EADDRINUSE), FAILS(EINVAL), FAILS(EACCES) },
	[CALL_LISTEN] = { SUCCESS, FAILS(EINVAL), FAILS(EOPNOTSUPP), FAILS(EADDRINUSE) },
	[CALL_ACCEPT] = { SUCCESS, BLOCKS, FAILS(EINVAL), FAILS(EAGAIN) },
	[CALL_CONNECT] = { SUCCESS, BLOCKS, FAILS(ECONNREFUSED), FAILS(EINPROGRESS),
			   FAILS(EISCONN) },
	[CALL_SEND] = { SUCCESS, BLOCKS, FAILS(EPIPE), FAILS(ECONNRESET), FAILS(EAGAIN) },
	[CALL_SENDALL] = { SUCCESS, BLOCKS, FAILS(EPIPE), FAILS(ECONNRESET) },
	[CALL_RECV] = { SUCCESS, ZERO, BLOCKS, FAILS(ECONNRESET), FAILS(EAGAIN) },
	[CALL_SENDTO] = { SUCCESS, FAILS(ECONNREFUSED), FAILS(EMSGSIZE), FAILS(EISCONN) },
	[CALL_RECVFROM] = { SUCCESS, ZERO, BLOCKS, FAILS(ECONNREFUSED), FAILS(EAGAIN) },
	[CALL_SHUTDOWN] = { SUCCESS, FAILS(ENOTCONN), FAILS(EINVAL) },
	[CALL_CLOSE] = { SUCCESS, BLOCKS, FAILS(EBADF) },
	[CALL_SETSOCKOPT] = { SUCCESS, FAILS(ENOPROTOOPT), FAILS(EINVAL) },
	[CALL_GETSOCKOPT] = { SUCCESS, FAILS(ENOPROTOOPT), FAILS(EBADF) },
	[CALL_GETSOCKNAME] = { SUCCESS, FAILS(EBADF), FAILS(ENOTSOCK) },
	[CALL_GETPEERNAME] = { SUCCESS, FAILS(ENOTCONN), FAILS(EBADF) },
	[CALL_FCNTL] = { SUCCESS, FAILS(EBADF), FAILS(EINVAL) },
	[CALL_UNLINK] = { SUCCESS, FAILS(ENOENT), FAILS(EACCES) },
	[CALL_POLL] = { SUCCESS, ZERO, BLOCKS },
	[CALL_SELECT] = { SUCCESS, ZERO, BLOCKS },
	[CALL_EPOLL_CREATE] = { SUCCESS, FAILS(EMFILE), FAILS(EINVAL) },
	[CALL_EPOLL_CTL] = { SUCCESS, FAILS(EEXIST), FAILS(ENOENT), FAILS(EBADF) },
	[CALL_EPOLL_WAIT] = { SUCCESS, ZERO, BLOCKS, FAILS(EINVAL) },
};

size_t quiz_call_answer_count(enum call_id call)
{
	size_t count = 0;
	while ((unsigned)call < CALL_COUNT && count < TEMPLATES_MAX
	       && answer_table[call][count].kind != TEMPLATE_END)
		count++;
	return count;
}

/* ---- hints ---------------------------------------------------------------- */

/* What a hint is keyed by: the shape of the answer the lesson expects. */
enum hint_key {
	HINT_ANY,              /* whatever the lesson expects, or nothing */
	HINT_SUCCEEDS,
	HINT_ZERO,             /* a count of 0: recv's end of stream, poll's nothing ready */
	HINT_BLOCKS,
	HINT_FAILS,
};

struct hint_row {
	enum call_id call;
	enum hint_key key;
	int error;             /* HINT_FAILS: this errno; 0 any */
	const char *nudge;     /* {socket}, {address}, {bytes}, {timeout} and {call}
	                          are the step's */
};

/* A nudge asks about what decides the answer, never says it. The most
 * specific row wins: (call, key, errno), then (call, key), then (call, any). */
static const struct hint_row hint_table[] = {
	{ CALL_SOCKET, HINT_SUCCEEDS, 0,
	  "0, 1 and 2 are stdin, stdout and stderr: which file descriptor is the lowest one free "
	  "in this process?" },
	{ CALL_SOCKET, HINT_FAILS, 0,
	  "Do that family, type and protocol go together, and does this kernel know them?" },
	{ CALL_SOCKET, HINT_ANY, 0,
	  "socket() asks the kernel for a new endpoint: what does the process get back?" },
	{ CALL_BIND, HINT_SUCCEEDS, 0, "Does any other socket hold {address} already?" },
	{ CALL_BIND, HINT_FAILS, EADDRINUSE,
	  "Does another socket hold {address} already, perhaps one that is still closing?" },
	{ CALL_BIND, HINT_FAILS, EINVAL, "Has {socket} got an address already?" },
	{ CALL_BIND, HINT_FAILS, EACCES,
	  "Ports below 1024 are privileged: may this process bind {address}?" },
	{ CALL_BIND, HINT_FAILS, EADDRNOTAVAIL, "Is {address} an address of this machine?" },
	{ CALL_BIND, HINT_ANY, 0, "Is {address} free for {socket} to take?" },
	{ CALL_LISTEN, HINT_SUCCEEDS, 0,
	  "listen() needs no peer: does anything stop {socket} from listening?" },
	{ CALL_LISTEN, HINT_FAILS, EOPNOTSUPP, "Can a datagram socket listen?" },
	{ CALL_LISTEN, HINT_ANY, 0, "What is {socket} now, and can it listen from there?" },
	{ CALL_ACCEPT, HINT_SUCCEEDS, 0,
	  "Is a connection already waiting in {socket}'s accept queue?" },
	{ CALL_ACCEPT, HINT_BLOCKS, 0, "Is a connection waiting in {socket}'s accept queue yet?" },
	{ CALL_ACCEPT, HINT_FAILS, EINVAL, "Is {socket} listening?" },
	{ CALL_ACCEPT, HINT_FAILS, EAGAIN,
	  "The accept queue is empty: may a non-blocking socket wait?" },
	{ CALL_ACCEPT, HINT_ANY, 0, "What waits in {socket}'s accept queue right now?" },
	{ CALL_CONNECT, HINT_SUCCEEDS, 0,
	  "Is anything listening on {address}, and does the handshake need the other side's "
	  "program to do anything?" },
	{ CALL_CONNECT, HINT_FAILS, ECONNREFUSED, "Is anything listening on {address} yet?" },
	{ CALL_CONNECT, HINT_FAILS, EINPROGRESS,
	  "Is {socket} non-blocking? Then may connect() wait for the handshake?" },
	{ CALL_CONNECT, HINT_FAILS, EISCONN, "Is {socket} connected already?" },
	{ CALL_CONNECT, HINT_FAILS, EALREADY, "Is a handshake on {socket} still under way?" },
	{ CALL_CONNECT, HINT_FAILS, ENETUNREACH,
	  "Is there a route to {address} from inside the lab?" },
	{ CALL_CONNECT, HINT_FAILS, ENOENT, "Is there a socket file at {address}?" },
	{ CALL_CONNECT, HINT_FAILS, ECONNABORTED,
	  "What became of the earlier attempt on {socket}?" },
	{ CALL_CONNECT, HINT_BLOCKS, 0,
	  "connect() waits for the handshake: will an answer to the SYN come back?" },
	{ CALL_CONNECT, HINT_ANY, 0, "Is anything listening on {address}?" },
	{ CALL_SEND, HINT_SUCCEEDS, 0,
	  "send() returns once the kernel has queued the bytes, not when the peer reads them: is "
	  "there room for {bytes} bytes?" },
	{ CALL_SEND, HINT_BLOCKS, 0,
	  "Is there room for {bytes} more bytes in the send queue and the peer's receive queue?" },
	{ CALL_SEND, HINT_FAILS, EPIPE, "May this side still write? Who has closed or shut down?" },
	{ CALL_SEND, HINT_FAILS, ECONNRESET,
	  "How did the peer's kernel answer bytes sent to a socket that was closed?" },
	{ CALL_SEND, HINT_FAILS, ECONNREFUSED,
	  "What did the kernel learn when the last datagram reached a port where nothing "
	  "listens?" },
	{ CALL_SEND, HINT_FAILS, EBADF, "Is {socket} still open in this process?" },
	{ CALL_SEND, HINT_ANY, 0, "Where do the bytes go when send() returns, and is there room?" },
	{ CALL_SENDALL, HINT_SUCCEEDS, 0,
	  "sendall() returns once every byte is queued: is there room for {bytes} bytes?" },
	{ CALL_SENDALL, HINT_BLOCKS, 0,
	  "Is there room for {bytes} more bytes in the send queue and the peer's receive queue?" },
	{ CALL_SENDALL, HINT_FAILS, EPIPE,
	  "May this side still write? Who has closed or shut down?" },
	{ CALL_SENDALL, HINT_ANY, 0,
	  "Where do the bytes go when sendall() returns, and is there room?" },
	{ CALL_RECV, HINT_SUCCEEDS, 0, "Are bytes waiting in {socket}'s receive queue?" },
	{ CALL_RECV, HINT_ZERO, 0,
	  "Has the peer sent its FIN, and is anything left to read before it?" },
	{ CALL_RECV, HINT_BLOCKS, 0, "Is anything waiting in {socket}'s receive queue yet?" },
	{ CALL_RECV, HINT_FAILS, ECONNRESET, "Did the peer's kernel answer with a RST?" },
	{ CALL_RECV, HINT_FAILS, ECONNREFUSED,
	  "What did the kernel learn when the last datagram reached a port where nothing "
	  "listens?" },
	{ CALL_RECV, HINT_FAILS, ENOTCONN, "Is {socket} connected?" },
	{ CALL_RECV, HINT_FAILS, EAGAIN, "Nothing is waiting: may a non-blocking call wait?" },
	{ CALL_RECV, HINT_ANY, 0,
	  "What is waiting in {socket}'s receive queue, and is the peer still there?" },
	{ CALL_SENDTO, HINT_SUCCEEDS, 0,
	  "A datagram waits for nobody: does anything stop the kernel sending {bytes} bytes?" },
	{ CALL_SENDTO, HINT_FAILS, EISCONN, "Is {socket} connected to a peer already?" },
	{ CALL_SENDTO, HINT_ANY, 0,
	  "Does anything stop the kernel sending {bytes} bytes to {address}?" },
	{ CALL_RECVFROM, HINT_SUCCEEDS, 0, "Has a datagram arrived for {socket}?" },
	{ CALL_RECVFROM, HINT_BLOCKS, 0, "Has any datagram arrived for {socket} yet?" },
	{ CALL_RECVFROM, HINT_FAILS, EAGAIN, "Nothing has arrived: may a non-blocking call wait?" },
	{ CALL_RECVFROM, HINT_ANY, 0, "What is waiting in {socket}'s receive queue?" },
	{ CALL_SHUTDOWN, HINT_FAILS, ENOTCONN, "Is {socket} connected?" },
	{ CALL_SHUTDOWN, HINT_ANY, 0,
	  "shutdown() closes one direction of a connection: is {socket} connected?" },
	{ CALL_CLOSE, HINT_BLOCKS, 0, "Was SO_LINGER set on {socket}?" },
	{ CALL_CLOSE, HINT_FAILS, EBADF, "Is {socket} still open in this process?" },
	{ CALL_CLOSE, HINT_ANY, 0,
	  "close() drops the fd: does the kernel make the caller wait for the connection to end?" },
	{ CALL_SETSOCKOPT, HINT_ANY, 0,
	  "Does this option exist at that level, and is the value one the kernel takes?" },
	{ CALL_GETSOCKOPT, HINT_ANY, 0, "What has happened to {socket} that this option records?" },
	{ CALL_GETSOCKNAME, HINT_ANY, 0,
	  "Has {socket} got a local address yet, from bind() or from connect()?" },
	{ CALL_GETPEERNAME, HINT_ANY, 0, "Is {socket} connected to a peer?" },
	{ CALL_FCNTL, HINT_ANY, 0, "Which flags does {socket}'s file carry now?" },
	{ CALL_UNLINK, HINT_ANY, 0, "Is there a file at that path now?" },
	{ CALL_POLL, HINT_SUCCEEDS, 0,
	  "Is anything waiting in the watched sockets' receive or accept queues?" },
	{ CALL_POLL, HINT_ZERO, 0,
	  "A timeout of {timeout} only looks: is any watched socket readable right now?" },
	{ CALL_POLL, HINT_BLOCKS, 0,
	  "Is any watched socket readable yet, and how long may the call wait ({timeout})?" },
	{ CALL_POLL, HINT_ANY, 0,
	  "Which watched sockets have something to read, or a peer that has closed?" },
	{ CALL_SELECT, HINT_SUCCEEDS, 0,
	  "Is anything waiting in the watched sockets' receive or accept queues?" },
	{ CALL_SELECT, HINT_ZERO, 0,
	  "A timeout of {timeout} only looks: is any watched socket readable right now?" },
	{ CALL_SELECT, HINT_BLOCKS, 0,
	  "Is any watched socket readable yet, and how long may the call wait ({timeout})?" },
	{ CALL_SELECT, HINT_ANY, 0,
	  "Which watched sockets have something to read, or a peer that has closed?" },
	{ CALL_EPOLL_CREATE, HINT_ANY, 0,
	  "An epoll instance is a new kernel object behind a file descriptor: which number "
	  "is free?" },
	{ CALL_EPOLL_CTL, HINT_FAILS, EEXIST, "Was that socket added to this epoll set before?" },
	{ CALL_EPOLL_CTL, HINT_FAILS, ENOENT, "Is that socket in this epoll set at all?" },
	{ CALL_EPOLL_CTL, HINT_ANY, 0,
	  "Is that socket in this epoll set already, and does the operation need it to be?" },
	{ CALL_EPOLL_WAIT, HINT_SUCCEEDS, 0,
	  "Has anything arrived on the watched sockets that has not been reported yet?" },
	{ CALL_EPOLL_WAIT, HINT_ZERO, 0,
	  "Is any watched socket ready right now (and, edge-triggered, has anything new "
	  "arrived)?" },
	{ CALL_EPOLL_WAIT, HINT_BLOCKS, 0,
	  "Is any watched socket ready yet, and how long may the call wait ({timeout})?" },
	{ CALL_EPOLL_WAIT, HINT_ANY, 0,
	  "Which watched sockets are ready, and which of them were reported before?" },
};

/* ---- the step's own words ------------------------------------------------ */

static const struct call_arg *find_arg(const struct typed_call *call, enum arg_kind kind)
{
	for (int i = 0; i < call->arg_count; i++)
		if (call->args[i].kind == kind)
			return &call->args[i];
	return NULL;
}

/* What the lesson expects the call to do, if it says: a value read
 * (getsockopt's "0, value 111") tells more than the 0 beside it. */
static bool expected_answer(const struct lesson_step *step, struct quiz_answer *out)
{
	const struct expectation *found = NULL;
	for (size_t i = 0; i < step->expect_count; i++) {
		const struct expectation *e = &step->expects[i];
		if (e->woken_side >= 0 || e->after_wake || e->kind == EXPECT_STATE
		    || e->kind == EXPECT_ADDRESS || e->kind == EXPECT_READY)
			continue;
		if (!found || e->kind == EXPECT_VALUE)
			found = e;
	}
	if (!found)
		return false;
	memset(out, 0, sizeof *out);
	switch (found->kind) {
	case EXPECT_FD: out->kind = ANSWER_FD; break;
	case EXPECT_RETURN: out->kind = ANSWER_RETURNS, out->value = found->value; break;
	case EXPECT_BYTES: out->kind = ANSWER_RETURNS, out->value = (long)found->bytes_len; break;
	case EXPECT_VALUE: out->kind = ANSWER_VALUE, out->value = found->value; break;
	case EXPECT_ERROR: out->kind = ANSWER_FAILS, out->error = found->error; break;
	case EXPECT_BLOCKS: out->kind = ANSWER_BLOCKS; break;
	default: return false;
	}
	return true;
}

static bool reads_so_error(const struct typed_call *call)
{
	return call->def->id == CALL_GETSOCKOPT && call->arg_count >= 3
		&& call->args[2].number == SO_ERROR;
}

/* fcntl(F_GETFL) returns the flags themselves; F_SETFL returns 0. */
static bool reads_file_flags(const struct typed_call *call)
{
	return call->def->id == CALL_FCNTL && call->arg_count >= 2
		&& call->args[1].number == F_GETFL;
}

static void label_answer(const struct typed_call *call, struct quiz_answer *answer)
{
	char *label = answer->label;
	size_t size = sizeof answer->label;
	const char *name;
	switch (answer->kind) {
	case ANSWER_FD: snprintf(label, size, "a new fd"); break;
	case ANSWER_PART: snprintf(label, size, "fewer than %ld bytes", answer->value); break;
	case ANSWER_SOME:
		snprintf(label, size,
			 call->def->result == RESULT_READY ? "some ready" : "some bytes");
		break;
	case ANSWER_SUCCEEDS: snprintf(label, size, "succeeds"); break;
	case ANSWER_BLOCKS: snprintf(label, size, "blocks"); break;
	case ANSWER_RETURNS:
		if (call->def->id == CALL_RECV && answer->value == 0)
			snprintf(label, size, "0 (the peer closed)");
		else if (call->def->id == CALL_RECVFROM && answer->value == 0)
			snprintf(label, size, "0 bytes");
		else if (call->def->result == RESULT_READY && answer->value == 0)
			snprintf(label, size, "0 (nothing ready)");
		else if (call->def->result == RESULT_READY && answer->value > 0)
			snprintf(label, size, "%ld ready", answer->value);
		else if ((call->def->result == RESULT_RECEIVED || call->def->result == RESULT_SENT)
			 && answer->value > 0)
			snprintf(label, size, "%ld bytes", answer->value);
		else
			snprintf(label, size, "%ld", answer->value);
		break;
	case ANSWER_VALUE:
		name = reads_so_error(call) ? catalog_errno_name((int)answer->value) : NULL;
		if (name)
			snprintf(label, size, "value %ld (%s)", answer->value, name);
		else
			snprintf(label, size, "value %ld", answer->value);
		break;
	case ANSWER_FAILS:
		name = catalog_errno_name(answer->error);
		if (name)
			snprintf(label, size, "-1 %s", name);
		else
			snprintf(label, size, "-1 (errno %d)", answer->error);
		break;
	}
}

/* ---- building the choices ------------------------------------------------- */

static bool same_answer(const struct quiz_answer *a, const struct quiz_answer *b)
{
	return a->kind == b->kind && a->value == b->value && a->error == b->error;
}

static void add_answer(struct quiz_choices *choices, enum quiz_answer_kind kind, long value,
		       int error)
{
	struct quiz_answer answer = { .kind = kind, .value = value, .error = error };
	for (size_t i = 0; i < choices->answer_count; i++)
		if (same_answer(&choices->answers[i], &answer))
			return;
	if (choices->answer_count == QUIZ_MAX_ANSWERS)
		return;
	label_answer(&choices->step->call, &answer);
	choices->answers[choices->answer_count++] = answer;
}

#define GUESS_FDS 64

static int lowest_free(const bool used[GUESS_FDS])
{
	for (int fd = 0; fd < GUESS_FDS; fd++)
		if (!used[fd])
			return fd;
	return GUESS_FDS - 1;
}

/* The fd the step's call would get if every earlier step of its side did
 * what the lesson expects: the kernel hands out the lowest free number.
 * Lessons give the number where it matters; elsewhere this centres the
 * numbers offered, so they read the same whether the call is expected to
 * succeed or not. */
static long guess_fd(const struct lesson *lesson, const struct lesson_step *step)
{
	int side = step->call.side;
	bool used[GUESS_FDS] = { [0] = true, [1] = true, [2] = true };   /* stdin, stdout, stderr */
	struct {
		const char *name;
		int fd;
	} names[GUESS_FDS];
	size_t name_count = 0;
	const struct typed_call *blocked = NULL;   /* an accept() asleep on this side */
	for (const struct lesson_step *earlier = lesson->steps; earlier < step; earlier++) {
		const struct typed_call *call = &earlier->call;
		struct quiz_answer expected;
		bool has_expected = expected_answer(earlier, &expected);
		/* With no word from the lesson, a call is taken to succeed. */
		bool succeeds = !has_expected
			|| (expected.kind != ANSWER_FAILS && expected.kind != ANSWER_BLOCKS);
		if (call->side == side && call->def->result == RESULT_FD && succeeds) {
			int fd = has_expected && expected.kind == ANSWER_RETURNS
					&& expected.value >= 0 && expected.value < GUESS_FDS
				? (int)expected.value
				: lowest_free(used);
			used[fd] = true;
			if (call->result_name[0] && name_count < GUESS_FDS)
				names[name_count].name = call->result_name,
				names[name_count++].fd = fd;
		} else if (call->side == side && call->def->result == RESULT_FD && has_expected
			   && expected.kind == ANSWER_BLOCKS) {
			blocked = call;
		} else if (call->side == side && call->def->id == CALL_CLOSE && succeeds
			   && call->arg_count > 0) {
			const struct call_arg *arg = &call->args[0];
			long fd = arg->number;
			for (size_t i = 0; arg->socket_name[0] && i < name_count; i++)
				if (strcmp(names[i].name, arg->socket_name) == 0)
					fd = names[i].fd;
			if (fd >= 3 && fd < GUESS_FDS)
				used[fd] = false;
		}
		/* "server returns fd": the sleeping accept() got its number now. */
		for (size_t k = 0; k < earlier->expect_count && blocked; k++) {
			const struct expectation *e = &earlier->expects[k];
			if (e->woken_side != side
			    || (e->kind != EXPECT_FD && e->kind != EXPECT_RETURN))
				continue;
			int fd = e->kind == EXPECT_RETURN && e->value >= 0 && e->value < GUESS_FDS
				? (int)e->value
				: lowest_free(used);
			used[fd] = true;
			if (blocked->result_name[0] && name_count < GUESS_FDS)
				names[name_count].name = blocked->result_name,
				names[name_count++].fd = fd;
			blocked = NULL;
		}
	}
	return lowest_free(used);
}

/* How many fds a readiness call watches: poll and select name them; an
 * epoll set is built by earlier steps, so two stands in. */
static long watched_count(const struct typed_call *call)
{
	long count = 0;
	for (int i = 0; i < call->arg_count; i++)
		count += call->args[i].kind == ARG_SOCKET;
	return call->def->id == CALL_EPOLL_WAIT || count == 0 ? 2 : count;
}

/* The lesson's expectation in the words the choices use: recv's exact bytes
 * are "some bytes", a short send is "fewer than N bytes", "fd" is the
 * number the kernel will hand out, so the answer reads like the others. */
static struct quiz_answer offered_answer(const struct quiz_choices *choices,
					 const struct quiz_answer *expected)
{
	const struct typed_call *call = &choices->step->call;
	const struct call_arg *bytes = find_arg(call, ARG_BYTES);
	struct quiz_answer offered = *expected;
	if (expected->kind == ANSWER_FD)
		offered.kind = ANSWER_RETURNS,
		offered.value = guess_fd(choices->lesson, choices->step);
	else if (expected->kind == ANSWER_RETURNS && reads_file_flags(call) && expected->value >= 0)
		offered.kind = ANSWER_VALUE;
	else if (expected->kind == ANSWER_RETURNS && call->def->result == RESULT_RECEIVED
		 && expected->value > 0)
		offered.kind = ANSWER_SOME, offered.value = 0;
	else if (expected->kind == ANSWER_RETURNS && call->def->result == RESULT_SENT && bytes
		 && expected->value > 0 && (size_t)expected->value < bytes->bytes_len)
		offered.kind = ANSWER_PART, offered.value = (long)bytes->bytes_len;
	return offered;
}

static void add_numbers_around(struct quiz_choices *choices, long centre, long lowest)
{
	add_answer(choices, ANSWER_RETURNS, centre - 1 >= lowest ? centre - 1 : 0, 0);
	add_answer(choices, ANSWER_RETURNS, centre, 0);
	add_answer(choices, ANSWER_RETURNS, centre + 1, 0);
}

/* The call's success in the words of its result kind, worded the same
 * whatever the lesson expects: an fd call offers numbers ("which fd is the
 * lowest free" is the lesson), recv "some bytes", a readiness call every
 * count from 0 to the fds it watches. */
static void add_success(struct quiz_choices *choices, const struct quiz_answer *expected)
{
	const struct typed_call *call = &choices->step->call;
	bool exact = expected && expected->kind == ANSWER_RETURNS && expected->value >= 0;
	const struct call_arg *bytes = find_arg(call, ARG_BYTES);
	long value = expected && expected->kind == ANSWER_VALUE ? expected->value : 0;
	switch (call->def->result) {
	case RESULT_ZERO:
	case RESULT_ADDRESS:
		add_answer(choices, ANSWER_RETURNS, 0, 0);
		break;
	case RESULT_FD:
		add_numbers_around(choices,
				   exact ? expected->value
					 : guess_fd(choices->lesson, choices->step),
				   3);
		break;
	case RESULT_SENT:
		if (bytes && bytes->bytes_len > 1)
			add_answer(choices, ANSWER_PART, (long)bytes->bytes_len, 0);
		if (bytes)
			add_answer(choices, ANSWER_RETURNS, (long)bytes->bytes_len, 0);
		else
			add_answer(choices, ANSWER_SUCCEEDS, 0, 0);
		break;
	case RESULT_RECEIVED:
		add_answer(choices, ANSWER_SOME, 0, 0);
		break;
	case RESULT_MESSAGES:
		break;   /* sendmmsg and recvmmsg are program-only: no lesson's step asks */
	case RESULT_READY: {
		long most = watched_count(call);
		if (exact && expected->value > most)
			most = expected->value;
		for (long count = 0; count <= most && count < QUIZ_MAX_ANSWERS - 2; count++)
			add_answer(choices, ANSWER_RETURNS, count, 0);
		break;
	}
	case RESULT_VALUE:
		if (reads_so_error(call) && !exact) {
			/* The outcome of a non-blocking connect: none yet, or refused. */
			add_answer(choices, ANSWER_VALUE, 0, 0);
			add_answer(choices, ANSWER_VALUE, ECONNREFUSED, 0);
		} else if (reads_file_flags(call)
			   && (exact || (expected && expected->kind == ANSWER_VALUE))) {
			/* Blocking or not is what the flags tell. */
			value = exact ? expected->value : value;
			add_answer(choices, ANSWER_VALUE, value & ~(long)O_NONBLOCK, 0);
			add_answer(choices, ANSWER_VALUE, value | O_NONBLOCK, 0);
		} else if (expected && expected->kind == ANSWER_VALUE) {
			/* The kernel doubles buffer sizes it is given: half and double. */
			add_answer(choices, ANSWER_VALUE, value / 2, 0);
			add_answer(choices, ANSWER_VALUE, value, 0);
			add_answer(choices, ANSWER_VALUE, value ? value * 2 : 1, 0);
		} else if (reads_file_flags(call)) {
			add_answer(choices, ANSWER_SUCCEEDS, 0, 0);
		} else {
			add_answer(choices, ANSWER_RETURNS, 0, 0);
		}
		break;
	}
}

/* Successes first (numbers in order), then blocks, then errnos by name:
 * the order follows the answers, never which one is right. */
static int answer_rank(const struct quiz_answer *answer)
{
	return answer->kind == ANSWER_BLOCKS ? 1 : answer->kind == ANSWER_FAILS ? 2 : 0;
}

static int compare_answers(const void *a_pointer, const void *b_pointer)
{
	const struct quiz_answer *a = a_pointer, *b = b_pointer;
	int rank_a = answer_rank(a), rank_b = answer_rank(b);
	if (rank_a != rank_b)
		return rank_a - rank_b;
	if (a->kind == ANSWER_FAILS)
		return strcmp(a->label, b->label);
	bool numbered_a =
		a->kind == ANSWER_RETURNS || a->kind == ANSWER_VALUE || a->kind == ANSWER_PART;
	bool numbered_b =
		b->kind == ANSWER_RETURNS || b->kind == ANSWER_VALUE || b->kind == ANSWER_PART;
	long key_a = numbered_a ? a->value : LONG_MAX, key_b = numbered_b ? b->value : LONG_MAX;
	if (key_a != key_b)
		return key_a < key_b ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static void add_socket(struct quiz_choices *choices, const struct expectation *e)
{
	for (size_t i = 0; i < choices->socket_count; i++) {
		const struct expectation *seen = choices->sockets[i].expectation;
		if (seen->side == e->side && seen->ref == e->ref
		    && (e->ref == REF_ACCEPT_QUEUE
			|| strcmp(seen->socket_name, e->socket_name) == 0))
			return;
	}
	if (choices->socket_count == QUIZ_MAX_SOCKETS)
		return;
	struct quiz_socket *socket = &choices->sockets[choices->socket_count++];
	socket->expectation = e;
	socket->after_wake = e->after_wake;
	snprintf(socket->label, sizeof socket->label, "%s %s", choices->lesson->sides[e->side],
		 e->ref == REF_ACCEPT_QUEUE ? "(accept queue)" : e->socket_name);
}

void quiz_choices(const struct lesson *lesson, const struct lesson_step *step,
		  struct quiz_choices *out)
{
	memset(out, 0, sizeof *out);
	out->lesson = lesson;
	out->step = step;
	struct quiz_answer expected;
	bool has_expected = expected_answer(step, &expected);
	/* The lesson's answer goes in first, so a full list never leaves it out. */
	if (has_expected) {
		struct quiz_answer offered = offered_answer(out, &expected);
		add_answer(out, offered.kind, offered.value, offered.error);
	}
	add_success(out, has_expected ? &expected : NULL);
	const struct answer_template *row = answer_table[step->call.def->id];
	for (size_t i = 0; i < TEMPLATES_MAX && row[i].kind != TEMPLATE_END; i++) {
		if (row[i].kind == TEMPLATE_BLOCKS)
			add_answer(out, ANSWER_BLOCKS, 0, 0);
		else if (row[i].kind == TEMPLATE_FAILS)
			add_answer(out, ANSWER_FAILS, 0, row[i].error);
		else if (row[i].kind == TEMPLATE_ZERO)
			add_answer(out, ANSWER_RETURNS, 0, 0);
	}
	/* What the lesson expects of this call anywhere, it offers everywhere:
	 * an errno that showed up only where it is right would give it away. */
	for (size_t i = 0; i < lesson->step_count; i++) {
		struct quiz_answer elsewhere;
		if (lesson->steps[i].call.def->id != step->call.def->id
		    || !expected_answer(&lesson->steps[i], &elsewhere))
			continue;
		if (elsewhere.kind == ANSWER_FAILS || elsewhere.kind == ANSWER_BLOCKS)
			add_answer(out, elsewhere.kind, 0, elsewhere.error);
	}
	/* A call with no row of its own yet may leave a single answer: then
	 * there is nothing to choose, and only the states are asked. */
	if (out->answer_count < 2)
		out->answer_count = 0;
	qsort(out->answers, out->answer_count, sizeof out->answers[0], compare_answers);
	for (size_t i = 0; i < step->expect_count; i++)
		if (step->expects[i].kind == EXPECT_STATE)
			add_socket(out, &step->expects[i]);
}

void quiz_prediction_init(struct quiz_prediction *prediction)
{
	memset(prediction, 0, sizeof *prediction);
	prediction->answer = QUIZ_NONE;
	for (size_t i = 0; i < QUIZ_MAX_SOCKETS; i++)
		prediction->states[i] = QUIZ_NONE;
}

/* ---- scoring ---------------------------------------------------------------- */

static bool answer_matches(const struct quiz_answer *answer, const struct lab_event *event)
{
	bool returned = event->kind == EVENT_RETURNED || event->kind == EVENT_WOKE;
	switch (answer->kind) {
	case ANSWER_BLOCKS: return event->kind == EVENT_BLOCKED;
	case ANSWER_FAILS: return returned && event->ret == -1 && event->error == answer->error;
	case ANSWER_RETURNS: return returned && event->ret == answer->value;
	case ANSWER_FD:
	case ANSWER_SUCCEEDS: return returned && event->ret >= 0;
	case ANSWER_SOME: return returned && event->ret > 0;
	case ANSWER_PART: return returned && event->ret > 0 && event->ret < answer->value;
	case ANSWER_VALUE:
		return returned && event->ret >= 0 && event->has_value
			&& event->value == answer->value;
	}
	return false;
}

/* What the call did, in the words of the answers. */
static void describe_call(const struct quiz_choices *choices, const struct lab_event *event,
			  char *out, size_t size)
{
	struct quiz_answer did = { .kind = ANSWER_RETURNS, .value = event->ret };
	bool values_asked = false;
	for (size_t i = 0; i < choices->answer_count; i++)
		values_asked = values_asked || choices->answers[i].kind == ANSWER_VALUE;
	if (event->kind == EVENT_BLOCKED)
		did.kind = ANSWER_BLOCKS;
	else if (event->ret == -1)
		did.kind = ANSWER_FAILS, did.error = event->error;
	else if (event->has_value && values_asked)
		did.kind = ANSWER_VALUE, did.value = event->value;
	label_answer(&choices->step->call, &did);
	snprintf(out, size, "%s", did.label);
}

/* A socket's state in the lessons' words. sock_diag reports every socket
 * with an address but no connection as TCP_CLOSE: lessons call a TCP one
 * BOUND, a datagram or Unix one UNCONN, as the transcript shows them. */
static const char *state_word(const struct lab_socket *socket)
{
	if (socket->state == 0)
		return "no address yet";
	if (socket->state == TCP_CLOSE)
		return socket->family == AF_UNIX || socket->type != SOCK_STREAM ? "UNCONN"
										: "BOUND";
	for (size_t i = 0; i < quiz_state_count; i++)
		if (lesson_state_value(quiz_states[i], strlen(quiz_states[i])) == socket->state)
			return quiz_states[i];
	return "?";
}

static bool socket_matches(const struct expectation *e, const struct lab_socket *socket)
{
	if (socket->side != e->side)
		return false;
	if (e->ref == REF_ACCEPT_QUEUE)
		return socket->note == NOTE_ACCEPT_QUEUE;
	return strcmp(socket->name, e->socket_name) == 0;
}

/* Whether the state named `predicted` holds for the socket in the snapshot
 * (as the session checks: any socket that matches will do), and what the
 * kernel has there. */
static bool state_holds(const struct expectation *e, const struct lab_snapshot *snapshot,
			const char *predicted, const char **kernel)
{
	*kernel = "gone";
	bool any = false;
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct lab_socket *socket = snapshot->sockets[i];
		if (!socket_matches(e, socket))
			continue;
		const char *word = state_word(socket);
		if (!any || (predicted && strcmp(word, predicted) == 0))
			*kernel = word;
		any = true;
	}
	if (!predicted)
		return false;
	return strcmp(predicted, "gone") == 0 ? !any : strcmp(*kernel, predicted) == 0;
}

static void verdict_line(struct quiz_part *part, const char *subject, const char *said)
{
	const char *revealed = part->verdict == QUIZ_REVEALED ? " (you saw the answer first)" : "";
	if (said)
		snprintf(part->line, sizeof part->line, "%s%syou said %s; the kernel said %s%s",
			 subject, subject[0] ? ": " : "", said, part->kernel, revealed);
	else
		snprintf(part->line, sizeof part->line, "%s%sthe kernel said %s", subject,
			 subject[0] ? ": " : "", part->kernel);
}

static void count_part(struct quiz_score *score, enum quiz_verdict verdict)
{
	if (verdict == QUIZ_RIGHT || verdict == QUIZ_WRONG || verdict == QUIZ_REVEALED)
		score->asked++;
	if (verdict == QUIZ_RIGHT)
		score->right++;
}

static enum quiz_verdict judge(bool answered, bool revealed, bool right)
{
	if (!answered)
		return QUIZ_UNANSWERED;
	if (revealed)
		return QUIZ_REVEALED;
	return right ? QUIZ_RIGHT : QUIZ_WRONG;
}

void quiz_score(const struct quiz_choices *choices, const struct quiz_prediction *prediction,
		const struct lab_event *events, size_t count, struct quiz_score *out)
{
	memset(out, 0, sizeof *out);
	out->state_count = choices->socket_count;
	/* The call's own event comes first; the calls it woke follow. */
	const struct lab_event *call = NULL;
	for (size_t i = 0; i < count && !call; i++)
		if (events[i].kind != EVENT_WOKE)
			call = &events[i];
	if (!call || call->kind == EVENT_NOT_RUN || call->kind == EVENT_SKIPPED) {
		struct quiz_part not_run = { .verdict = QUIZ_NOT_RUN, .kernel = "nothing" };
		snprintf(not_run.line, sizeof not_run.line, "not scored: the call was not made");
		out->answer = not_run;
		for (size_t i = 0; i < out->state_count; i++)
			out->states[i] = not_run;
		return;
	}
	int chosen = prediction->answer;
	bool answered = chosen >= 0 && (size_t)chosen < choices->answer_count;
	describe_call(choices, call, out->answer.kernel, sizeof out->answer.kernel);
	out->answer.verdict = judge(answered, prediction->answer_revealed,
				    answered && answer_matches(&choices->answers[chosen], call));
	verdict_line(&out->answer, "", answered ? choices->answers[chosen].label : NULL);
	count_part(out, out->answer.verdict);
	for (size_t i = 0; i < choices->socket_count; i++) {
		const struct quiz_socket *socket = &choices->sockets[i];
		/* expect: speaks of the moment after the call (held in the call's
		 * event), then: of the moment after the woken calls (the last). */
		const struct lab_snapshot *snapshot =
			socket->after_wake ? &events[count - 1].snapshot : &call->snapshot;
		int state = prediction->states[i];
		bool state_answered = state >= 0 && (size_t)state < quiz_state_count;
		const char *kernel;
		bool right = state_holds(socket->expectation, snapshot,
					 state_answered ? quiz_states[state] : NULL, &kernel);
		struct quiz_part *part = &out->states[i];
		snprintf(part->kernel, sizeof part->kernel, "%s", kernel);
		part->verdict = judge(state_answered, prediction->states_revealed[i], right);
		verdict_line(part, socket->label, state_answered ? quiz_states[state] : NULL);
		count_part(out, part->verdict);
	}
}

/* ---- hints ------------------------------------------------------------------ */

static enum hint_key hint_key_of(const struct lesson_step *step, const struct quiz_answer *expected)
{
	switch (expected->kind) {
	case ANSWER_BLOCKS: return HINT_BLOCKS;
	case ANSWER_FAILS: return HINT_FAILS;
	case ANSWER_RETURNS:
		if (expected->value == 0
		    && (step->call.def->result == RESULT_RECEIVED
			|| step->call.def->result == RESULT_READY))
			return HINT_ZERO;
		return HINT_SUCCEEDS;
	default: return HINT_SUCCEEDS;
	}
}

static const char *find_nudge(const struct lesson_step *step)
{
	struct quiz_answer expected;
	enum call_id call = step->call.def->id;
	enum hint_key key =
		expected_answer(step, &expected) ? hint_key_of(step, &expected) : HINT_ANY;
	int error = key == HINT_FAILS ? expected.error : 0;
	const struct hint_row *by_key = NULL, *any = NULL;
	for (size_t i = 0; i < sizeof hint_table / sizeof hint_table[0]; i++) {
		const struct hint_row *row = &hint_table[i];
		if (row->call != call)
			continue;
		if (row->key == key && row->error != 0 && row->error == error)
			return row->nudge;
		if (row->key == key && row->error == 0 && !by_key)
			by_key = row;
		if (row->key == HINT_ANY && !any)
			any = row;
	}
	return by_key ? by_key->nudge : any ? any->nudge : NULL;
}

/* Fills in a nudge's {socket}, {address}, {bytes}, {timeout} and {call}
 * from the step. */
static void expand_nudge(const struct typed_call *call, const char *nudge, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *p = nudge; *p && used + 1 < size;) {
		char word[TEXT_ADDRESS_MAX + 16] = "";
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			out[used++] = *p++;
			out[used] = '\0';
			continue;
		}
		size_t len = (size_t)(close - p - 1);
		const struct call_arg *arg;
		if (len == 6 && strncmp(p + 1, "socket", 6) == 0
		    && (arg = find_arg(call, ARG_SOCKET))) {
			if (arg->socket_name[0])
				snprintf(word, sizeof word, "%s", arg->socket_name);
			else
				snprintf(word, sizeof word, "fd %ld", arg->number);
		} else if (len == 7 && strncmp(p + 1, "address", 7) == 0
			   && (arg = find_arg(call, ARG_ADDRESS))) {
			text_address((const struct sockaddr *)&arg->address, arg->address_len, word,
				     sizeof word);
		} else if (len == 5 && strncmp(p + 1, "bytes", 5) == 0
			   && (arg = find_arg(call, ARG_BYTES))) {
			snprintf(word, sizeof word, "%zu", arg->bytes_len);
		} else if (len == 7 && strncmp(p + 1, "timeout", 7) == 0
			   && (arg = find_arg(call, ARG_INT))) {
			if (arg->number < 0)
				snprintf(word, sizeof word, "for ever");
			else
				snprintf(word, sizeof word, "%ld ms", arg->number);
		} else if (len == 4 && strncmp(p + 1, "call", 4) == 0) {
			snprintf(word, sizeof word, "%s()", call->def->name);
		} else {
			/* not this call's: as written */
			snprintf(word, sizeof word, "%.*s", (int)(len + 2), p);
		}
		used += (size_t)snprintf(out + used, size - used, "%s", word);
		if (used >= size)
			used = size - 1;
		p = close + 1;
	}
}

/* Whether the socket a step named `name` on `side` is a datagram or Unix
 * one: its state with an address and no peer reads UNCONN, not BOUND. */
static bool named_socket_is_unconnected_kind(const struct lesson *lesson, int side,
					     const char *name)
{
	for (size_t i = 0; i < lesson->step_count; i++) {
		const struct typed_call *call = &lesson->steps[i].call;
		if (call->side != side || strcmp(call->result_name, name) != 0
		    || call->def->id != CALL_SOCKET)
			continue;
		long type = call->arg_count >= 2
			? call->args[1].number & ~(long)(SOCK_NONBLOCK | SOCK_CLOEXEC)
			: 0;
		return call->args[0].number == AF_UNIX || type != SOCK_STREAM;
	}
	return false;
}

static const char *expected_state_word(const struct lesson *lesson, const struct expectation *e)
{
	if (e->state == 0)
		return "gone";
	if (e->state == TCP_CLOSE)
		return e->ref == REF_NAME
				&& named_socket_is_unconnected_kind(lesson, e->side, e->socket_name)
			? "UNCONN"
			: "BOUND";
	for (size_t i = 0; i < quiz_state_count; i++)
		if (lesson_state_value(quiz_states[i], strlen(quiz_states[i])) == e->state)
			return quiz_states[i];
	return "?";
}

static void append(char *out, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *out, size_t size, const char *format, ...)
{
	size_t used = strlen(out);
	if (used + 1 >= size)
		return;
	va_list args;
	va_start(args, format);
	vsnprintf(out + used, size - used, format, args);
	va_end(args);
}

int quiz_hint(const struct quiz_choices *choices, int level, char *out, size_t size)
{
	const struct lesson_step *step = choices->step;
	if (size == 0)
		return 0;
	out[0] = '\0';
	if (level <= 1) {
		const char *nudge = find_nudge(step);
		if (nudge) {
			expand_nudge(&step->call, nudge, out, size);
		} else {
			snprintf(out, size, "What does %s() do? %s", step->call.def->name,
				 step->call.def->summary);
		}
		return 1;
	}
	struct quiz_answer expected;
	if (expected_answer(step, &expected)) {
		/* Said as the lesson says it, and as the choice that holds it. */
		struct quiz_answer offered = offered_answer(choices, &expected);
		label_answer(&step->call, &expected);
		label_answer(&step->call, &offered);
		if (strcmp(offered.label, expected.label) == 0 || expected.kind == ANSWER_FD)
			snprintf(out, size, "the lesson expects %s", expected.label);
		else
			snprintf(out, size, "the lesson expects %s: %s", expected.label,
				 offered.label);
	} else {
		snprintf(out, size, "the lesson does not say what %s() returns",
			 step->call.def->name);
	}
	for (size_t i = 0; i < choices->socket_count; i++)
		append(out, size, "%s%s %s", i == 0 ? "; then " : ", ", choices->sockets[i].label,
		       expected_state_word(choices->lesson, choices->sockets[i].expectation));
	return 2;
}

/* ---- the transcript's driver -------------------------------------------------- */

static char *trim(char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	size_t len = strlen(text);
	while (len > 0
	       && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '
		   || text[len - 1] == '\t'))
		text[--len] = '\0';
	return text;
}

/* Reads one answer, 1..count, into *choice; 'h' shows the next hint. An
 * empty line leaves it unanswered. Returns 0, or EOF. */
static int read_choice(FILE *in, FILE *out, struct quiz_turn *turn, const char *prompt,
		       size_t count, int *choice, bool *revealed)
{
	/* A terminal shows what was typed; a script's input would be lost. */
	bool echo = !isatty(fileno(in));
	for (;;) {
		fprintf(out, "  %s (1-%zu, h for a hint, Enter to skip): ", prompt, count);
		fflush(out);
		char buffer[64];
		if (!fgets(buffer, sizeof buffer, in)) {
			fputc('\n', out);
			return EOF;
		}
		if (!strchr(buffer, '\n')) {
			int c;
			while ((c = fgetc(in)) != EOF && c != '\n')
				;
		}
		char *line = trim(buffer);
		if (echo)
			fprintf(out, "%s\n", line);
		if (line[0] == '\0')
			return 0;
		if ((line[0] == 'h' || line[0] == '?') && line[1] == '\0') {
			char hint[320];
			turn->hint_level =
				quiz_hint(&turn->choices, turn->hint_level + 1, hint, sizeof hint);
			fprintf(out, "  %s: %s\n", turn->hint_level >= 2 ? "answer" : "hint", hint);
			continue;
		}
		char *end;
		long number = strtol(line, &end, 10);
		if (*end == '\0' && number >= 1 && (size_t)number <= count) {
			*choice = (int)(number - 1);
			*revealed = turn->hint_level >= 2;
			return 0;
		}
		fprintf(out, "  '%s' is not one of the choices\n", line);
	}
}

/* The states, numbered, a few to a line. */
static void print_states(FILE *out)
{
	size_t column = 0;
	for (size_t i = 0; i < quiz_state_count; i++) {
		char item[32];
		int len = snprintf(item, sizeof item, "%zu %s", i + 1, quiz_states[i]);
		if (column > 0 && column + 2 + (size_t)len > 76) {
			fputc('\n', out);
			column = 0;
		}
		column += (size_t)fprintf(out, "%s%s", column == 0 ? "    " : "  ", item);
	}
	fputc('\n', out);
}

int quiz_plain_ask(FILE *in, FILE *out, const struct lesson *lesson, size_t step_index,
		   struct quiz_turn *turn)
{
	memset(turn, 0, sizeof *turn);
	quiz_prediction_init(&turn->prediction);
	if (step_index >= lesson->step_count)
		return 0;
	const struct lesson_step *step = &lesson->steps[step_index];
	struct quiz_choices *choices = &turn->choices;
	struct quiz_prediction *prediction = &turn->prediction;
	quiz_choices(lesson, step, choices);
	if (choices->answer_count == 0 && choices->socket_count == 0)
		return 0;   /* nothing to predict */
	fprintf(out, "predict step %zu/%zu  %s: %s\n", step_index + 1, lesson->step_count,
		lesson->sides[step->call.side], step->call.text);
	if (choices->answer_count > 0) {
		fprintf(out, "  what will %s() do?\n", step->call.def->name);
		for (size_t i = 0; i < choices->answer_count; i++)
			fprintf(out, "    %zu  %s\n", i + 1, choices->answers[i].label);
		if (read_choice(in, out, turn, "your answer", choices->answer_count,
				&prediction->answer, &prediction->answer_revealed) == EOF)
			return 1;
	}
	if (choices->socket_count == 0)
		return 0;
	fprintf(out, "  and the state of each socket afterwards:\n");
	print_states(out);
	for (size_t i = 0; i < choices->socket_count; i++) {
		char prompt[QUIZ_LABEL_MAX + 48];
		snprintf(prompt, sizeof prompt, "%s%s", choices->sockets[i].label,
			 choices->sockets[i].after_wake ? ", once the woken call has returned"
							: "");
		if (read_choice(in, out, turn, prompt, quiz_state_count, &prediction->states[i],
				&prediction->states_revealed[i]) == EOF)
			return 1;
	}
	return 0;
}

static const char *const verdict_words[] = {
	[QUIZ_UNANSWERED] = "skipped",
	[QUIZ_RIGHT] = "right",
	[QUIZ_WRONG] = "wrong",
	[QUIZ_REVEALED] = "shown",
	[QUIZ_NOT_RUN] = "not run",
};
_Static_assert(sizeof verdict_words / sizeof verdict_words[0] == QUIZ_NOT_RUN + 1,
	       "every verdict has a word");

void quiz_plain_tell(FILE *out, const struct quiz_turn *turn, const struct lab_event *events,
		     size_t count, struct quiz_tally *tally)
{
	if (!turn->choices.step
	    || (turn->choices.answer_count == 0 && turn->choices.socket_count == 0))
		return;
	struct quiz_score score;
	quiz_score(&turn->choices, &turn->prediction, events, count, &score);
	if (score.answer.verdict == QUIZ_NOT_RUN) {
		fprintf(out, "  quiz: %s\n", score.answer.line);
		return;
	}
	if (turn->choices.answer_count > 0)
		fprintf(out, "  quiz: %-7s %s\n", verdict_words[score.answer.verdict],
			score.answer.line);
	for (size_t i = 0; i < score.state_count; i++)
		fprintf(out, "  quiz: %-7s %s\n", verdict_words[score.states[i].verdict],
			score.states[i].line);
	tally->right += score.right;
	tally->asked += score.asked;
	fprintf(out, "  quiz: %u of %u right in this step, %u of %u so far\n", score.right,
		score.asked, tally->right, tally->asked);
}
