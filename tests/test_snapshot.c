/* snapshot: rows shared between snapshots, copied only to change. */
#include <criterion/criterion.h>
#include <netinet/tcp.h>
#include <string.h>

#include "model.h"

static struct lab_socket row_of(int side, int fd, int state)
{
	return (struct lab_socket){ .side = side, .fd = fd, .state = state };
}

/* A snapshot of `count` rows, side 0, fds 3, 4, ... */
static struct lab_snapshot made(size_t count)
{
	struct lab_snapshot snapshot = { 0 };
	for (size_t i = 0; i < count; i++) {
		struct lab_socket row = row_of(0, 3 + (int)i, TCP_ESTABLISHED);
		cr_assert_eq(lab_snapshot_append(&snapshot, &row), 0);
	}
	return snapshot;
}

Test(snapshot, append_copies_the_row)
{
	struct lab_socket row = row_of(1, 3, TCP_LISTEN);
	struct lab_snapshot snapshot = { 0 };
	cr_assert_eq(lab_snapshot_append(&snapshot, &row), 0);
	row.state = TCP_CLOSE;
	cr_assert_eq(snapshot.count, 1);
	cr_assert_neq(snapshot.sockets[0], &row);
	cr_assert_eq(snapshot.sockets[0]->state, TCP_LISTEN);
	lab_snapshot_done(&snapshot);
}

Test(snapshot, keeps_every_row_as_it_grows)
{
	struct lab_snapshot snapshot = made(100);
	cr_assert_eq(snapshot.count, 100);
	for (size_t i = 0; i < snapshot.count; i++)
		cr_assert_eq(snapshot.sockets[i]->fd, 3 + (int)i);
	lab_snapshot_done(&snapshot);
}

Test(snapshot, a_copy_shares_every_row)
{
	struct lab_snapshot first = made(20), second;
	cr_assert_eq(lab_snapshot_copy(&second, &first), 0);
	cr_assert_eq(second.count, 20);
	cr_assert_neq(second.sockets, first.sockets, "each snapshot owns its array");
	for (size_t i = 0; i < first.count; i++)
		cr_assert_eq(second.sockets[i], first.sockets[i]);
	/* Released by one, a row stays the other's. */
	lab_snapshot_done(&first);
	cr_assert_eq(second.sockets[19]->fd, 22);
	lab_snapshot_done(&second);
}

Test(snapshot, a_copy_of_an_empty_snapshot_is_empty)
{
	struct lab_snapshot empty = { 0 }, copy;
	cr_assert_eq(lab_snapshot_copy(&copy, &empty), 0);
	cr_assert_eq(copy.count, 0);
	lab_snapshot_done(&copy);
}

Test(snapshot, editing_a_shared_row_copies_it_first)
{
	struct lab_snapshot first = made(3), second;
	cr_assert_eq(lab_snapshot_copy(&second, &first), 0);
	const struct lab_socket *shared = first.sockets[1];
	struct lab_socket *own = lab_snapshot_edit(&second, 1);
	cr_assert_not_null(own);
	own->note = NOTE_RESET;
	cr_assert_neq(second.sockets[1], shared);
	cr_assert_eq(second.sockets[1]->note, NOTE_RESET);
	cr_assert_eq(second.sockets[1]->fd, 4, "the copy is the row as it was, then changed");
	cr_assert_eq(first.sockets[1], shared);
	cr_assert_eq(first.sockets[1]->note, NOTE_NONE, "the other snapshot's row is as it was");
	cr_assert_eq(second.sockets[0], first.sockets[0], "the rows not edited stay shared");
	lab_snapshot_done(&first);
	lab_snapshot_done(&second);
}

Test(snapshot, editing_a_row_no_other_snapshot_holds_changes_it_in_place)
{
	struct lab_snapshot first = made(3), second;
	cr_assert_eq(lab_snapshot_copy(&second, &first), 0);
	struct lab_socket *copied = lab_snapshot_edit(&second, 2);
	cr_assert_not_null(copied);
	cr_assert_eq(lab_snapshot_edit(&second, 2), copied, "copied once, then the snapshot's own");
	lab_snapshot_done(&first);
	cr_assert_eq(lab_snapshot_edit(&second, 0), second.sockets[0],
		     "its last holder edits it where it is");
	lab_snapshot_done(&second);
}

Test(snapshot, append_shared_adds_the_same_row)
{
	struct lab_snapshot first = made(2), second = { 0 };
	cr_assert_eq(lab_snapshot_append_shared(&second, first.sockets[1]), 0);
	cr_assert_eq(second.count, 1);
	cr_assert_eq(second.sockets[0], first.sockets[1]);
	lab_snapshot_done(&first);
	cr_assert_eq(second.sockets[0]->fd, 4);
	lab_snapshot_done(&second);
}

Test(snapshot, done_empties_the_snapshot_and_is_safe_twice)
{
	struct lab_snapshot snapshot = made(9);
	lab_snapshot_done(&snapshot);
	cr_assert_eq(snapshot.count, 0);
	cr_assert_null(snapshot.sockets);
	lab_snapshot_done(&snapshot);
}
