// `tsprof pprof -help`.
export const usage = `usage:

Produce output in the specified format.

   tsprof pprof <format> [options] <source> ...

Omit the format to get an interactive shell whose commands can be used
to generate various views of a profile

   tsprof pprof [options] <source> ...

Omit the format and provide the "-http" flag to get an interactive web
interface at the specified host:port that can be used to navigate through
various views of a profile.

   tsprof pprof -http [host]:[port] [options] <source> ...

  Output formats (select at most one):
    -top, -text          Outputs top entries in text form
    -traces              Outputs all profile samples in text form
    -tags                Outputs all tags in the profile
    -tree                Outputs a text rendering of call graph
    -peek regexp         Output callers/callees of functions matching regexp
    -list regexp         Output annotated source for functions matching regexp
    -weblist regexp      Display annotated source in a web browser
    -raw                 Outputs a text representation of the raw profile
    -dot                 Outputs a graph in DOT format
    -svg                 Outputs a graph in SVG format (no Graphviz needed)
    -pdf, -png, -gif, -ps  Outputs a graph in that format (needs Graphviz's dot)
    -callgrind           Outputs a graph in callgrind format
    -comments            Output all profile comments
    -proto               Outputs the profile in compressed protobuf format
    -topproto            Outputs top entries in compressed protobuf format
    -flamegraph          Outputs a flame graph (HTML; SVG when -output ends in .svg)
    -web                 Visualize graph through web browser
    -eog, -evince, -gv   Visualize graph through eog, evince or gv
    -kcachegrind         Visualize report in KCachegrind

  Options:
    -output file         Write the report to file
    -nodecount n, -nodefraction f, -edgefraction f, -trim=false
    -cum, -flat          Sort by cumulative or flat value
    -functions, -filefunctions, -files, -lines, -addresses, -noinlines, -showcolumns
    -focus, -ignore, -hide, -show, -show_from, -prune_from regexp
    -tagfocus, -tagignore  regexp, key=regexp, or a range: 1kb, 1kb:4kb, key=:1mb
    -tagshow, -taghide   regexp of label keys
    -tagroot, -tagleaf   label keys to show as pseudo frames at the root or leaf
    -sample_index name|n, -mean, -unit u, -divide_by f, -relative_percentages
    -call_tree, -compact_labels, -drop_negative, -source_path, -trim_path
    -tag_percentages     tags: shares of the whole profile (newer pprof's form)

  Source options:
    -seconds n           Duration for time-based profile collection
    -timeout n           Timeout in seconds for profile collection
    -add_comment text    Free-form annotation to add to the profile
    -diff_base source    Source of base profile for comparison
    -base source         Source of base profile for profile subtraction
    -normalize           Scale the source to the base's total before subtracting
    profile.pb.gz        Profile in protobuf format (gzipped or not)
    file.cpuprofile      V8 CPU profile (node --cpu-prof), converted
    file.heapprofile     V8 heap profile (node --heap-prof), converted
    http://host/path     URL of a /debug/pprof/ endpoint

  Misc options:
    -http [host]:[port]  Serve the web UI (localhost and a free port by default)
    -no_browser          Skip opening a browser for the web UI

  Legacy convenience options:
    -inuse_space, -inuse_objects, -alloc_space, -alloc_objects
    -total_delay, -contentions, -mean_delay
`;
