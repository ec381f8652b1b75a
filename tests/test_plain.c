/* plain: the transcript's words for an event's result, from its values. */
#include <criterion/criterion.h>
#include <poll.h>
#include <string.h>

#include "plain.h"

static struct lab_event poll_event(struct ready_fd *ready, size_t count)
{
	return (struct lab_event){
		.kind = EVENT_RETURNED, .call = CALL_POLL, .ret = (long)count, .ready = ready,
		.ready_count = count, .fd_argument = -1,
	};
}

Test(plain_result, says_which_fds_were_ready_and_why)
{
	struct ready_fd ready[] = {
		{ .fd = 3, .events = POLLIN, .name = "ls" },
		{ .fd = 9, .events = POLLIN | POLLRDHUP },
	};
	struct lab_event event = poll_event(ready, 2);
	char out[200];
	cr_assert_str_eq(plain_format_result(&event, out, sizeof out),
			 "2, ready: ls POLLIN, fd 9 POLLIN|POLLRDHUP");
}

Test(plain_result, ends_a_list_cut_to_its_room_with_dots)
{
	struct ready_fd ready[] = {
		{ .fd = 3, .events = POLLIN, .name = "ls" },
		{ .fd = 4, .events = POLLIN | POLLRDHUP, .name = "conn" },
	};
	struct lab_event event = poll_event(ready, 2);
	char out[24];
	cr_assert_str_eq(plain_format_result(&event, out, sizeof out), "2, ready: ls POLLIN,...");
	/* Exactly the room: nothing is cut, so no dots. */
	char exact[sizeof "2, ready: ls POLLIN, conn POLLIN|POLLRDHUP"];
	cr_assert_str_eq(plain_format_result(&event, exact, sizeof exact),
			 "2, ready: ls POLLIN, conn POLLIN|POLLRDHUP");
}
