/*
 * A tiny HTTP server for checking that the cluster runs images from the pipeline: every
 * request gets "lamina-echo <hostname> <method> <path>". Dynamically linked on purpose, so
 * the image pipeline's library copying is exercised too. Port: argv[1], default 8080.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    signal(SIGTERM, on_term);
    signal(SIGPIPE, SIG_IGN);

    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 64) != 0) {
        perror("echo-server: listen");
        return 1;
    }
    printf("echo-server: listening on :%d as %s\n", port, host);
    fflush(stdout);

    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        char request[8192];
        ssize_t n = read(client, request, sizeof request - 1);
        char method[16] = "?", path[1024] = "?";
        if (n > 0) {
            request[n] = '\0';
            sscanf(request, "%15s %1023s", method, path);
        }
        char body[1400];
        int body_len = snprintf(body, sizeof body, "lamina-echo %s %s %s\n", host, method, path);
        char response[1600];
        int len = snprintf(response, sizeof response,
                           "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                           body_len, body);
        if (write(client, response, len) < 0) perror("echo-server: write");
        close(client);
    }
}
