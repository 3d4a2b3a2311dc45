#include <cstdio>

int bump_twice();

int main() { std::printf("bumped=%d\n", bump_twice()); }
