/* regsla: the command. Work in progress: wiring of ingest and the analyzer lands next. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("regsla %s\n", RSLA_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: regsla report [options] INPUT...\n");
    return 2;
}
