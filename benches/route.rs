//! Cost of the reader's per-line work (parse + route), without pipes or Python.
//! `cargo bench --bench route` (a plain harness: prints ns per line).

use std::hint::black_box;
use std::time::Instant;

use _core::{parse_once, Parser, Pipeline};

fn main() {
    // BENCH_LINES/BENCH_ROUNDS shrink the run, e.g. for counting instructions under callgrind.
    let count: usize = std::env::var("BENCH_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let lines: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            format!(
                r#"{{"method":"item/agentMessage/delta","params":{{"threadId":"019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a5b","turnId":"019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a5c","itemId":"msg_0123456789abcdef","delta":"tok {i} "}}}}"#
            )
            .into_bytes()
        })
        .collect();
    let mut pipeline = Pipeline::new("019a1b2c-3d4e-7f60-8a9b-0c1d2e3f4a5c");

    for round in 0..rounds {
        let start = Instant::now();
        for line in &lines {
            pipeline.route(black_box(line));
        }
        let routed = start.elapsed();
        pipeline.drain();
        let total = start.elapsed();
        println!(
            "round {round}: parse+route {:.0} ns/line, with drain+drop {:.0} ns/line",
            routed.as_nanos() as f64 / lines.len() as f64,
            total.as_nanos() as f64 / lines.len() as f64
        );
    }

    // Parsing alone, next to what jiter costs just walking the same lines.
    let per_line = |label: &str, parse: &dyn Fn(&[u8])| {
        let start = Instant::now();
        for line in &lines {
            parse(black_box(line));
        }
        println!("{label}: {:.0} ns/line", start.elapsed().as_nanos() as f64 / lines.len() as f64);
    };
    for _ in 0..3 {
        per_line("full parse only", &|line| parse_once(line));
        let parser = std::cell::RefCell::new(Parser::default());
        per_line("parse only, repeats remembered", &|line| parser.borrow_mut().parse(line));
        per_line("jiter skipping every value (floor)", &|line| {
            let mut j = jiter::Jiter::new(line);
            let mut key = j.next_object_bytes().unwrap().map(|k| k.len());
            while key.is_some() {
                j.next_skip().unwrap();
                key = j.next_key_bytes().unwrap().map(|k| k.len());
            }
        });
        per_line("jiter into params, skipping values", &|line| {
            let mut j = jiter::Jiter::new(line);
            let mut key = j.next_object_bytes().unwrap().map(|k| k.len());
            while let Some(len) = key {
                if len == 6 && j.peek().unwrap() == jiter::Peek::Object {
                    let mut k2 = j.next_object_bytes().unwrap().map(|k| k.len());
                    while k2.is_some() {
                        j.next_skip().unwrap();
                        k2 = j.next_key_bytes().unwrap().map(|k| k.len());
                    }
                } else {
                    j.next_skip().unwrap();
                }
                key = j.next_key_bytes().unwrap().map(|k| k.len());
            }
        });
    }
}
