/* view_int: what the view's files share (keys and filter per tab). */
#ifndef FLOWTOP_VIEW_INT_H
#define FLOWTOP_VIEW_INT_H

#include "ui/view.h"

uint64_t vk_str(const char *s, uint32_t *flags);
uint64_t vk_flow(const struct view_src *src, const struct flow_entry *e,
		 int col, const char **s, uint32_t *flags);
uint64_t vk_proc(const struct proc_agg *p, int col, const char **s,
		 uint32_t *flags);
uint64_t vk_country(const struct country_agg *c, int col, const char **s,
		    uint32_t *flags);

int vf_flow(const struct view_src *src, const char *f,
	    const struct flow_entry *e);
int vf_proc(const char *f, const struct proc_agg *p);
int vf_country(const char *f, const struct country_agg *c);

#endif
