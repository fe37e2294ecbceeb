/* cli_kinds.h - what the file-kind readers share: cli_kinds.c (dispatch,
 * inline control comments), cli_markdown.c and cli_zendesk.c.  Private
 * to the command. */
#ifndef MC_CLI_KINDS_H
#define MC_CLI_KINDS_H

#include "cli.h"

/* The file being split; nothing is owned. */
typedef struct {
    const char *path;
    const char *buf;      /* NUL-terminated */
    size_t len;
    const mc_rules *rules;
} mc_file;

/* A new zeroed piece at the end of p (lang -1, line 1, column 1); NULL
 * when out of memory.  Earlier piece pointers may move. */
mc_piece *mc_pieces_add(mc_pieces *p);
char *mc_strndup(const char *s, size_t n);

/* Reads the <!-- meaculpa-... --> comments of pc->text into pc->sup and
 * ps->disabled_file; unknown rule ids are warnings in diag at their file
 * position.  Returns -1 when out of memory. */
int mc_scan_controls(mc_pieces *ps, mc_piece *pc, const mc_file *file,
                     const mc_rules *rules, FILE *diag);

/* Replaces with spaces (newlines kept, so every byte stays where it is)
 * what is not prose in Markdown: front matter, code blocks, code spans,
 * link destinations and images.  Returns -1 when out of memory. */
int mc_markdown_blank(char *buf, size_t len);

/* One piece per comment_value / comment_value_html action of a Zendesk
 * macro export.  Errors and notes are printed to diag; returns -1 when
 * the file is not scored. */
int mc_zendesk_pieces(const mc_file *f, mc_pieces *out, FILE *diag);
/* One piece per non-blank line of a JSON Lines file, or of a batch of
 * its lines (numbered from 1: cli_jobs.c moves them to the batch's
 * place); a bad line is a piece with error set.  Returns -1 when out of
 * memory. */
int mc_jsonl_pieces(const mc_file *f, mc_pieces *out);

#endif
