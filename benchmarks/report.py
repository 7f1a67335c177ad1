"""Benchmark report: the CSV tables in results/benchmarks/ stated against their targets, in Markdown.

What it does: reads the tables the benchmark modules wrote (kernel.csv from `benchmarks.kernel`,
machine.csv from `benchmarks.machine`, model.csv from `benchmarks.model`, cold_start.csv from
`benchmarks.cold_start`, and their runs in meta.csv) and writes one report: a table of every target
(issue 7) with the figure measured and met or missed, then each benchmark's figures side by side (the
kernel against the reference, NumPy and without `exp`; the kernel against the streaming and
random-gather limits of the machine, from the kernel's bytes per link; the whole model per size; the
cold start). It measures nothing itself; a table that is missing leaves its section out, so it can be
run after any of the benchmarks, and each table may come from a different run (meta.csv says when).

    python -m benchmarks.report

Writes results/benchmarks/benchmarks.md and prints it.
"""

from __future__ import annotations

import csv

from benchmarks.common import META, OUT, TARGETS
from benchmarks.kernel import LINKS_PER_TEACHER, MIXES, kernel_bytes_per_link
from benchmarks.machine import LATENCY_KB


def _value(text: str):
    """A CSV cell back as what was written: empty = None, then int, float, bool or the text."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def read_table(name: str, typed: bool = True) -> list[dict]:
    """Rows of results/benchmarks/<name> ([] if it is not there); `typed` turns numbers back into numbers."""
    path = OUT / name
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [{k: _value(v) if typed else v for k, v in row.items()} for row in csv.DictReader(f)]


def fmt(x, spec=".1f"):
    return "–" if x is None else format(x, spec)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def heading(meta: list[dict]) -> str:
    """The paragraph under the title: when, where and how the tables were measured (rows of meta.csv)."""
    if not meta:
        return "Run details unknown (no meta.csv in results/benchmarks/)."

    def each(key):
        return " / ".join(dict.fromkeys(str(m[key]) for m in meta))

    by_date = sorted(meta, key=lambda m: m["date"])     # stable: sections of the same minute stay in run order
    first, last = by_date[0], by_date[-1]
    when = first["date"] if first["date"] == last["date"] else f"{first['date']} to {last['date']}"
    mode = " and ".join(dict.fromkeys("quick" if m["quick"] == "True" else "full" for m in meta))
    text = (f"Run {when} on {each('machine')}, {each('cpus')} CPUs, numba {each('numba')} with "
            f"{each('threads')} threads ({each('layer')}); load average {first['load_before']} before and "
            f"{last['load_after']} after (other work shares this machine: figures are medians and still noisy). "
            f"Mode: {mode}.")
    if len(meta) > 1:
        text += "\n\nTables: " + ", ".join(f"{m['section']}.csv {m['date']} ({'quick' if m['quick'] == 'True' else 'full'})"
                                           for m in meta) + "."
    return text


def report(meta: list[dict], kernel: list, memory: dict | None, model: list, cold: list) -> str:
    from simulation.kernel import PARALLEL_MIN_ARCS

    lines = ["# Benchmarks", "", heading(meta), ""]
    summary = []
    if kernel:
        lines += ["## Kernel: ns per link per tick", "",
                  "Activity mix: model-like = 90 % of links idle (the model runs 93-99 % idle), busy = 50 % idle, "
                  "the rest spread over information, experience, coaching and programme.", "",
                  "The kernel column is what the model runs (`TickWorkspace`: serial below "
                  f"{PARALLEL_MIN_ARCS:,} arcs, where waking a second thread costs more than it saves; parallel above). "
                  "Ratios use that column.", "",
                  "CPU columns count this thread's CPU time only (serial kernel vs reference, both on one "
                  "thread): on a shared machine they show the code's cost without the time spent waiting for a core.",
                  "",
                  "| network | mix | teachers | links | kernel | numba parallel | numba serial (1 thread) | NumPy "
                  "| Python reference | × reference | × NumPy | serial CPU | reference CPU | × reference (CPU) |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in kernel:
            lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {r['links']:,} | **{r['kernel_ns_per_link']:.1f}** "
                         f"| {r['numba_parallel_ns_per_link']:.1f} "
                         f"| {r['numba_serial_ns_per_link']:.1f} | {r['numpy_ns_per_link']:.1f} "
                         f"| {fmt(r['reference_ns_per_link'], '.0f')} | {fmt(r['speedup_vs_reference'], '.0f')} "
                         f"| {r['speedup_vs_numpy']:.1f} | {fmt(r.get('serial_cpu_ns_per_link'))} "
                         f"| {fmt(r.get('reference_cpu_ns_per_link'), '.0f')} "
                         f"| {fmt(r.get('cpu_speedup_vs_reference'), '.0f')} |")
        for mix in MIXES:
            speedups = [r["speedup_vs_reference"] for r in kernel if r["speedup_vs_reference"] and r["mix"] == mix
                        and r["teachers"] >= 10**4]
            if speedups:
                lo = min(speedups)
                summary.append((f"kernel vs Python reference ({mix} mix, ≥ 10,000 teachers, wall)",
                                f"≥ {TARGETS['kernel_vs_reference']:.0f}×", f"{lo:.0f}× – {max(speedups):.0f}×",
                                verdict(lo >= TARGETS["kernel_vs_reference"])))
            cpu = [r["cpu_speedup_vs_reference"] for r in kernel if r.get("cpu_speedup_vs_reference")
                   and r["mix"] == mix and r["teachers"] >= 10**4]
            if cpu:
                summary.append((f"serial kernel vs Python reference ({mix} mix, ≥ 10,000 teachers, CPU time)",
                                f"≥ {TARGETS['kernel_vs_reference']:.0f}×", f"{min(cpu):.0f}× – {max(cpu):.0f}×",
                                verdict(min(cpu) >= TARGETS["kernel_vs_reference"])))
        lines.append("")
        if all("exp_share" in r for r in kernel):
            lines += ["### What `exp` costs the kernel", "",
                      "The same kernel compiled with four multiply-adds in place of every `math.exp`, timed "
                      "alternately with the real one on the same inputs (`kernel_without_exp`; attribution only, "
                      "its numbers are not the model's). The share is of the transfer pass alone; without exp = kernel × (1 − "
                      "share), which charges the packing pass too, so it is a lower bound on the time and the last "
                      "column an upper bound on the ratio.", "",
                      "| network | mix | teachers | kernel | exp share | kernel without exp | × reference "
                      "| × reference without exp |", "|---|---|---:|---:|---:|---:|---:|---:|"]
            for r in kernel:
                free = r["kernel_ns_per_link"] * (1.0 - r["exp_share"])
                ref = r["reference_ns_per_link"]
                lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {r['kernel_ns_per_link']:.1f} "
                             f"| {100 * r['exp_share']:.0f} % | {free:.1f} | {fmt(r['speedup_vs_reference'], '.0f')} "
                             f"| {fmt(None if ref is None else ref / free, '.0f')} |")
            lines.append("")
    if memory and kernel:
        lines += ["## Kernel against the memory limits", "",
                  f"Streaming copy: **{memory['stream_gb_s']:.1f} GB/s** (NumPy copy {memory['stream_numpy_gb_s']:.1f}, "
                  f"numba parallel copy {memory['stream_parallel_gb_s']:.1f}; read + write counted). Random gather of "
                  f"one 64-byte row from a 64 MB table: **{memory['gather_ns']:.2f} ns** per gather (1 thread "
                  f"{memory['gather_serial_ns']:.2f}, all threads {memory['gather_parallel_ns']:.2f}).", ""]
        if "exp_ns" in memory:
            lines += ["Latency of one dependent read (a pointer chase) by table size: " + ", ".join(
                f"{kb:,} KB {memory[f'latency_{kb}kb_ns']:.1f} ns" for kb in LATENCY_KB)
                + f". One `math.exp` in a numba loop: {memory['exp_ns']:.1f} ns (a multiply-add loop: "
                f"{memory['multiply_ns']:.1f} ns); an active arc makes up to six.", ""]
        bytes_of = {mix: kernel_bytes_per_link(LINKS_PER_TEACHER, 1.0 - idle) for mix, idle in MIXES.items()}
        lines += ["Kernel bytes per link: " + "; ".join(
            f"{mix} mix **{b['total']:.0f} B** (arc arrays {b['arc_streams']}, active links' records and "
            f"activity {b['link_records']:.0f}, giver rows {b['giver_rows']:.0f}, node streams "
            f"{b['node_streams']:.0f})" for mix, b in bytes_of.items()) + ". The random-gather limit of a link is "
                  "two row gathers (one giver row per arc, as a kernel that visits every arc's giver needs); the "
                  "streaming limit is the kernel's bytes at the streaming rate.", "",
                  "| network | mix | teachers | kernel ns/link | streaming limit ns/link | × streaming "
                  "| gather limit ns/link | × gather |", "|---|---|---:|---:|---:|---:|---:|---:|"]
        for r in kernel:
            s_lim = bytes_of[r["mix"]]["total"] / memory["stream_gb_s"]
            g_lim = 2 * memory["gather_ns"]
            k = r["kernel_ns_per_link"]
            r["x_streaming"], r["x_gather"] = k / s_lim, k / g_lim
            lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {k:.1f} | {s_lim:.1f} | {k / s_lim:.1f} | {g_lim:.1f} "
                         f"| {k / g_lim:.1f} |")
        big = max(r["teachers"] for r in kernel)
        for r in kernel:
            if r["teachers"] == big and r["network"] == "random":
                summary.append((f"random network, {r['mix']} mix, {big:,} teachers: × random-gather limit",
                                f"≤ {TARGETS['random_gather_ratio']:.0f}×", f"{r['x_gather']:.1f}×",
                                verdict(r["x_gather"] <= TARGETS["random_gather_ratio"])))
            if r["teachers"] == big and r["network"] == "ordered":
                summary.append((f"ordered network, {r['mix']} mix, {big:,} teachers: × streaming limit",
                                f"≤ {TARGETS['streaming_ratio']:.0f}×", f"{r['x_streaming']:.1f}×",
                                verdict(r["x_streaming"] <= TARGETS["streaming_ratio"])))
        lines.append("")
    if model:
        lines += ["## Whole model", "",
                  "Each size runs in a fresh process (peak memory is that process's peak resident set, VmHWM, "
                  "imports included). Per tick: kernel, data collection (metrics + DataCollector, every tick), "
                  "and everything else in `step`.", "",
                  "| case | teachers | links | construction s | s/tick | kernel | other | collection | ticks | run s "
                  "| process wall s | peak MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in model:
            lines.append(f"| {r['case']} | {r['teachers']:,} | {r['links']:,} | {r['build_s']:.3f} "
                         f"| {r['s_per_tick'] * 1e3:.2f} ms | {r['kernel_s_per_tick'] * 1e3:.2f} ms "
                         f"| {r['other_s_per_tick'] * 1e3:.2f} ms | {r['collect_s_per_tick'] * 1e3:.2f} ms "
                         f"| {r['ticks']} | {r['run_s']:.2f} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} |")
        lines.append("")
        default = model[0]
        summary.append(("default 8 schools, 195 ticks, warm (construction + run)",
                        f"< {TARGETS['default_run_seconds']} s", f"{default['run_s']:.3f} s",
                        verdict(default["run_s"] < TARGETS["default_run_seconds"])))
        nat = model[-1]
        if nat["ticks"] >= 195:
            summary.append(("24,000 schools × 195 ticks, end to end (process wall)",
                            f"< {TARGETS['national_seconds']:.0f} s", f"{nat['wall_s']:.1f} s",
                            verdict(nat["wall_s"] < TARGETS["national_seconds"])))
        else:
            est = nat["import_s"] + nat["build_s"] + 195 * nat["s_per_tick"]
            summary.append(("24,000 schools × 195 ticks (estimated from a quick run)",
                            f"< {TARGETS['national_seconds']:.0f} s", f"≈ {est:.0f} s",
                            verdict(est < TARGETS["national_seconds"])))
        summary.append(("24,000 schools peak memory", f"< {TARGETS['national_gb']:.0f} GB",
                        f"{nat['peak_mb'] / 1024:.2f} GB", verdict(nat["peak_mb"] / 1024 < TARGETS["national_gb"])))
    if cold:
        lines += ["## Cold start (command to first tick, measured outside the process)", "",
                  "In-process parts: import of `simulation.model`, construction of the default model (where numba "
                  "loads, or compiles, the first kernels from its cache) and the first tick. The bound: starting "
                  "the interpreter, and importing the third-party chain alone (numpy, pandas, SciPy's spatial "
                  "module, networkx, numba, mesa: what `import mesa` and the kernels need) in a fresh process.", "",
                  "| numba cache | command to first tick s | import s | construction s | first tick s "
                  "| process wall s (with exit) | interpreter start s | third-party imports alone s |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in cold:
            lines.append(f"| {r['cache']} | {r['command_to_first_tick_s']:.2f} | {r['import_s']:.2f} "
                         f"| {r.get('construction_s', float('nan')):.2f} | {r.get('tick_s', float('nan')):.3f} "
                         f"| {r.get('process_wall_s', float('nan')):.2f} | {r.get('interpreter_start_s', float('nan')):.2f} "
                         f"| {r.get('third_party_import_s', float('nan')):.2f} |")
        lines.append("")
        summary.append(("first tick with a warm numba cache (command to first tick)",
                        f"< {TARGETS['first_tick_seconds']:.0f} s", f"{cold[1]['command_to_first_tick_s']:.2f} s",
                        verdict(cold[1]["command_to_first_tick_s"] < TARGETS["first_tick_seconds"])))
    head = ["## Targets (issue 7)", "", "| figure | target | measured | |", "|---|---|---|---|"]
    head += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
    return "\n".join(lines[:4] + head + [""] + lines[4:]) + "\n"


def main(argv=None) -> str:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    machine = read_table("machine.csv")
    text = report(read_table(META, typed=False), read_table("kernel.csv"), machine[0] if machine else None,
                  read_table("model.csv"), read_table("cold_start.csv"))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "benchmarks.md").write_text(text)
    print(f"\nwrote {OUT}/benchmarks.md\n")
    print(text)
    return text


if __name__ == "__main__":
    main()
