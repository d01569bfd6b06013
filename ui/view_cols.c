/* SPDX-License-Identifier: GPL-2.0-only */
/* view_cols: the column tables of the three tabs: titles, widths, which
 * share a wide terminal's spare room, default sort direction.
 *
 * The screen adds the unit to a rate column's title ("SENT B/s", "RECV
 * bit/s"; the flows tab's, titled "", shows the unit alone): see
 * screen_table.c. Counts and rates fit 6 columns and ages 6 (ui/fmt.h);
 * the rate columns are as wide as their title with -b and the sort mark.
 * At 80 columns the flows tab fits (PID, USER, PROCESS, PROTO, STATE, AGE,
 * DESTINATION, PORT, GEO, BYTES, rate): the flex columns at their
 * minimum, the others at their width, one space between. USER is where
 * top has it, after PID; the socket's user, named from the passwd
 * database (ui/users.h), else its uid. The processes tab shows the naming
 * columns of its grouping only: PID and PROCESS, or USER, UNIT, CONTAINER
 * (view_col_visible); a unit with its sub-unit is cut in the middle.
 * NAT (what NAT made of the destination, "to", and of the source, "as"),
 * ZONE, MARK and LABELS show with `n`, between GEO and BYTES. */
#include "ui/view.h"

_Static_assert(FC_COUNT <= VIEW_MAX_COLS && PC_COUNT <= VIEW_MAX_COLS &&
	       CC_COUNT <= VIEW_MAX_COLS, "VIEW_MAX_COLS too small");

static const struct view_col flow_cols[FC_COUNT] = {
	[FC_PID]   = { "PID",          6,  6, 0, 0, 1 },
	[FC_USER]  = { "USER",         8,  4, 1, 0, 0 },
	[FC_PROC]  = { "PROCESS",     12,  7, 1, 0, 0 },
	[FC_PROTO] = { "PROTO",        5,  5, 0, 0, 0 },
	[FC_STATE] = { "STATE",       11, 11, 0, 0, 0 },
	[FC_AGE]   = { "AGE",          6,  6, 0, 1, 1 },
	[FC_SRC]   = { "SOURCE",      18, 15, 2, 0, 0 },
	[FC_SPORT] = { "SPORT",        5,  5, 0, 0, 1 },
	[FC_DST]   = { "DESTINATION", 18, 11, 3, 0, 0 },
	[FC_DPORT] = { "PORT",         6,  6, 0, 0, 0 },
	[FC_GEO]   = { "GEO",          8,  2, 1, 0, 0 },
	[FC_NAT]   = { "NAT",         22, 10, 2, 0, 0 },
	[FC_ZONE]  = { "ZONE",         5,  5, 0, 0, 1 },
	[FC_MARK]  = { "MARK",        10,  6, 0, 0, 1 },
	[FC_LABELS] = { "LABELS",      8,  6, 1, 0, 0 },
	[FC_BYTES] = { "BYTES",        6,  6, 0, 1, 1 },
	[FC_RATE]  = { "",             6,  6, 0, 1, 1 },
};

static const struct view_col proc_cols[PC_COUNT] = {
	[PC_PID]       = { "PID",       7,  7, 0, 0, 1 },
	[PC_PROC]      = { "PROCESS",  16,  8, 1, 0, 0 },
	[PC_USER]      = { "USER",     16,  8, 1, 0, 0 },
	[PC_UNIT]      = { "UNIT",     24,  9, 1, 0, 0 },
	[PC_CONTAINER] = { "CONTAINER", 23, 10, 1, 0, 0 },
	[PC_FLOWS]     = { "FLOWS",     7,  7, 0, 1, 1 },
	[PC_SENT]      = { "SENT",      9,  9, 0, 1, 1 },
	[PC_RECV]      = { "RECEIVED",  9,  9, 0, 1, 1 },
	[PC_SENT_RATE] = { "SENT",     11, 11, 0, 1, 1 },
	[PC_RECV_RATE] = { "RECV",     11, 11, 0, 1, 1 },
};

static const struct view_col country_cols[CC_COUNT] = {
	[CC_CODE]      = { "CC",        3,  3, 0, 0, 0 },
	[CC_NAME]      = { "COUNTRY",  16, 10, 1, 0, 0 },
	[CC_AS]        = { "AS",       22, 12, 2, 0, 0 },
	[CC_FLOWS]     = { "FLOWS",     7,  7, 0, 1, 1 },
	[CC_SENT]      = { "SENT",      9,  9, 0, 1, 1 },
	[CC_RECV]      = { "RECEIVED",  9,  9, 0, 1, 1 },
	[CC_SENT_RATE] = { "SENT",     11, 11, 0, 1, 1 },
	[CC_RECV_RATE] = { "RECV",     11, 11, 0, 1, 1 },
};

const struct view_col *view_cols(enum view_tab tab, size_t *n)
{
	switch (tab) {
	case VIEW_PROCS:
		*n = PC_COUNT;
		return proc_cols;
	case VIEW_COUNTRIES:
		*n = CC_COUNT;
		return country_cols;
	default:
		*n = FC_COUNT;
		return flow_cols;
	}
}

/* The processes tab's column naming its rows in grouping by. */
int view_group_col(enum group_by by)
{
	switch (by) {
	case GROUP_USER: return PC_USER;
	case GROUP_UNIT: return PC_UNIT;
	case GROUP_CONTAINER: return PC_CONTAINER;
	default: return PC_PROC;
	}
}

int view_col_visible(const struct view *v, enum view_tab tab, int col)
{
	if (tab == VIEW_PROCS && col < PC_FLOWS)
		return col == view_group_col(v->group) ||
		       (col == PC_PID && v->group == GROUP_PROCESS);
	if (tab == VIEW_FLOWS && (col == FC_SRC || col == FC_SPORT))
		return v->show_src;
	if (tab == VIEW_FLOWS && col >= FC_NAT && col <= FC_LABELS)
		return v->show_nat;
	if (tab == VIEW_COUNTRIES && col == CC_AS)
		return v->have_asn;
	return 1;
}
