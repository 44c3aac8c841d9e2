// Registers the predefined profiles (heap, allocs, goroutine, threadcreate,
// block, mutex) with the sources that collect them.
