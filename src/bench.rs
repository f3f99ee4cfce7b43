//! The reader's per-line work (parse, route, drain), as `benches/route.rs` drives it from outside
//! the crate. Not an API for anything else: the core's types stay crate-private behind it.

use std::hint::black_box;
use std::sync::Arc;

use crate::protocol::{parse_line, Incoming, LineParser};
use crate::router::{Limits, RouteCache, Router};
use crate::turn::{TurnChannel, TurnEvent};

/// One connection's reader without the pipe: lines in, events routed to one subscribed turn.
pub struct Pipeline {
    parser: LineParser,
    router: Arc<Router>,
    cache: RouteCache,
    channel: Arc<TurnChannel>,
}

impl Pipeline {
    /// A router with a subscriber for `turn_id`.
    pub fn new(turn_id: &str) -> Self {
        let router = Router::new(Limits::default());
        let channel = router.subscribe_turn(turn_id);
        Self { parser: LineParser::default(), router, cache: RouteCache::default(), channel }
    }

    /// Parses and routes one line, which must be a notification.
    pub fn route(&mut self, line: &[u8]) {
        let Ok(Incoming::Notification { event, keys }) = self.parser.parse(line) else {
            panic!("not a notification: {}", String::from_utf8_lossy(line))
        };
        self.router.route_quiet(event, &keys, &mut self.cache);
    }

    /// Takes (and drops) every event routed to the turn so far, as its stream would.
    pub fn drain(&self) {
        while let TurnEvent::Event(event) = self.channel.take_one() {
            black_box(event);
        }
    }
}

/// Parses one line from scratch (nothing remembered), dropping the result.
pub fn parse_once(line: &[u8]) {
    black_box(parse_line(line).ok());
}

/// The reader's parser, remembering recent lines' shapes.
#[derive(Default)]
pub struct Parser(LineParser);

impl Parser {
    /// Parses one line, dropping the result.
    pub fn parse(&mut self, line: &[u8]) {
        black_box(self.0.parse(line).ok());
    }
}
