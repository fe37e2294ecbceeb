/* fixture.h - the cmocka fixture of the library tests: one scorer over a
 * rules file held in the test itself (so that a test checks the engine,
 * not the wording of the default rules), and the finding lookup they all
 * use.  Include after <cmocka.h>. */
#ifndef MC_TEST_FIXTURE_H
#define MC_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meaculpa.h"

typedef struct {
    mc_rules *rules;
    mc_scorer *scorer;
} fixture;

/* Loads rules_text under name into a new scorer for *state; a rules
 * error is printed as file:line:col and fails the group. */
static int fixture_setup(void **state, const char *name,
                         const char *rules_text)
{
    fixture *f = calloc(1, sizeof *f);
    mc_error err = {0};
    if (!f || !(f->rules = mc_rules_new()))
        return -1;
    *state = f;
    if (mc_rules_add_buffer(f->rules, name, rules_text, strlen(rules_text),
                            &err) != MC_OK) {
        fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.column,
                err.message);
        return -1;
    }
    f->scorer = mc_scorer_new(f->rules, &err);
    return f->scorer ? 0 : -1;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    if (f) {
        mc_scorer_free(f->scorer);
        mc_rules_free(f->rules);
        free(f);
    }
    return 0;
}

/* The first finding of rule in r, or NULL. */
static const mc_finding *find_rule(const mc_result *r, const char *rule)
{
    for (size_t i = 0; i < mc_result_finding_count(r); i++)
        if (strcmp(mc_result_finding(r, i)->rule, rule) == 0)
            return mc_result_finding(r, i);
    return NULL;
}

#endif
