# chart.gp - the benchmark table as a bar chart (make bench, through
# tests/bench/run.sh; never drawn by hand).
# gnuplot -e "data='chart.dat'; out='bench.svg'" tests/bench/chart.gp
# data: a title line ("operation" and one column title per mode), then one
# line per operation: its name and the instructions per operation in each
# mode (0 where it costs nothing once the empty loop is taken off).
set terminal svg size 960,540 dynamic noenhanced font "sans,13"
set output out
set title "HyperROM: instructions per operation (QEMU -icount; log scale; the empty loop taken off)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [1:*]
set ylabel "instructions per operation"
set format y "%.0f"
set grid ytics
set key top left horizontal
set xtics rotate by -30 nomirror offset -1,0
set datafile separator whitespace
set linetype 1 lc rgb "#4477aa"
set linetype 2 lc rgb "#66ccee"
set linetype 3 lc rgb "#228833"
set linetype 4 lc rgb "#ee6677"
plot for [c=2:5] data using c:xtic(1) title columnheader(c)
