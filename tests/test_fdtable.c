/* Tests of fdtable: a program side's processes and their fds, no kernel. */
#include <criterion/criterion.h>

#include <sys/socket.h>

#include "fdtable.h"

static struct fdtable table;

Test(fdtable, a_fork_copies_the_parents_fds_to_the_child)
{
	fdtable_init(&table, 100);
	fdtable_add(&table, 100, 3, 1000, AF_INET, SOCK_STREAM);
	fdtable_add(&table, 100, 4, 1001, AF_INET, SOCK_STREAM);
	fdtable_fork(&table, 100, 101);
	cr_assert_not_null(fdtable_find(&table, 101, 3));
	cr_assert_eq(fdtable_find(&table, 101, 4)->inode, 1001);
	cr_assert_eq(table.fd_count, 4);
}

Test(fdtable, closing_one_holders_fd_counts_the_other)
{
	fdtable_init(&table, 100);
	fdtable_add(&table, 100, 4, 1001, AF_INET, SOCK_STREAM);
	fdtable_fork(&table, 100, 101);
	cr_assert_eq(fdtable_close(&table, 100, 4), 1, "the child still holds it: no FIN");
	cr_assert_not_null(fdtable_find(&table, 101, 4), "the child's fd is its own");
	cr_assert_eq(fdtable_close(&table, 101, 4), 0, "the last holder");
}

Test(fdtable, a_second_process_reusing_a_number_closes_nothing_of_the_first)
{
	fdtable_init(&table, 100);
	fdtable_add(&table, 100, 3, 1000, AF_INET, SOCK_STREAM);
	/* another process's socket() = 3 */
	fdtable_add(&table, 200, 3, 2000, AF_INET, SOCK_STREAM);
	cr_assert_eq(fdtable_find(&table, 100, 3)->inode, 1000);
	cr_assert_eq(fdtable_find(&table, 200, 3)->inode, 2000);
}

Test(fdtable, an_exit_closes_the_processs_fds_only)
{
	fdtable_init(&table, 100);
	fdtable_add(&table, 100, 3, 1000, AF_INET, SOCK_STREAM);
	fdtable_fork(&table, 100, 101);
	fdtable_exit(&table, 101);
	cr_assert_null(fdtable_find(&table, 101, 3));
	cr_assert_not_null(fdtable_find(&table, 100, 3));
}

Test(fdtable, labels_name_the_process_once_there_are_several)
{
	char label[64];
	fdtable_init(&table, 100);
	fdtable_label(&table, 100, "server", label, sizeof label);
	cr_assert_str_eq(label, "server");
	cr_assert_str_eq(fdtable_row_name(&table, 100), "");
	fdtable_fork(&table, 100, 101);
	fdtable_fork(&table, 100, 102);
	fdtable_label(&table, 100, "server", label, sizeof label);
	cr_assert_str_eq(label, "server");
	fdtable_label(&table, 102, "server", label, sizeof label);
	cr_assert_str_eq(label, "server/child2");
	cr_assert_str_eq(fdtable_row_name(&table, 101), "child1");
	cr_assert_str_eq(fdtable_row_name(&table, 100), "main");
	fdtable_label(&table, 999, "server", label, sizeof label);
	cr_assert_str_eq(label, "server[999]");
}

Test(fdtable, an_exec_keeps_the_fds)
{
	fdtable_init(&table, 100);
	fdtable_add(&table, 100, 3, 1000, AF_INET, SOCK_STREAM);
	fdtable_exec(&table, 100, "./client");
	cr_assert_not_null(fdtable_find(&table, 100, 3));
	cr_assert_str_eq(table.processes[0].command, "./client");
}

/* A socket's family stays with its fd, and a fork's child holds the same:
 * the tie says which sockets are of a family the lab does not read. */
Test(fdtable, keeps_the_family_each_socket_was_made_with)
{
	struct fdtable table = { 0 };
	fdtable_add(&table, 100, 3, 1000, AF_NETLINK, SOCK_RAW);
	fdtable_fork(&table, 100, 200);
	const struct fdtable_fd *child = fdtable_find(&table, 200, 3);
	cr_assert_not_null(child);
	cr_assert_eq(child->family, AF_NETLINK);
	cr_assert_eq(child->type, SOCK_RAW);
}
