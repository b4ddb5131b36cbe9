//! Real receivers on loopback for the notices' tests: an HTTP server that records what is
//! POSTed to it (and can be told to fail), and an SMTP server that records the mail it is
//! given. Both speak just enough of their protocol for a real client (ureq, lettre).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request an HTTP receiver took.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The path with its query.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Posted {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// How a receiver answers the `n`th request (from 0): a status, and its body.
type Answer = dyn Fn(usize) -> (u16, String) + Send + Sync;

/// An HTTP receiver on a loopback port; it records every request it answered 2xx in
/// `delivered`, and counts every request.
pub struct Http {
    pub port: u16,
    pub delivered: Arc<Mutex<Vec<Posted>>>,
    count: Arc<AtomicUsize>,
}

impl Http {
    /// A receiver that answers every request 200 `{"errcode":0}`.
    pub fn start() -> Http {
        Http::answering(|_| (200, r#"{"errcode":0,"code":0}"#.to_string()))
    }

    /// A receiver that answers the `n`th request as `answer` says.
    pub fn answering(answer: impl Fn(usize) -> (u16, String) + Send + Sync + 'static) -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        Http::on(listener, Arc::new(answer))
    }

    /// A receiver on `port`, once it is free again (a receiver that comes back).
    pub fn start_on(port: u16) -> Http {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        Http::on(
            listener,
            Arc::new(|_| (200, r#"{"errcode":0,"code":0}"#.to_string())),
        )
    }

    fn on(listener: TcpListener, answer: Arc<Answer>) -> Http {
        let port = listener.local_addr().unwrap().port();
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let (d, c) = (delivered.clone(), count.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (d, c, answer) = (d.clone(), c.clone(), answer.clone());
                std::thread::spawn(move || serve_http(stream, &d, &c, &*answer));
            }
        });
        Http {
            port,
            delivered,
            count,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn delivered(&self) -> Vec<Posted> {
        self.delivered.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

fn serve_http(
    stream: TcpStream,
    delivered: &Mutex<Vec<Posted>>,
    count: &AtomicUsize,
    answer: &Answer,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let posted = Posted {
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let n = count.fetch_add(1, Ordering::SeqCst);
        let (status, text) = answer(n);
        if (200..300).contains(&status) {
            delivered.lock().unwrap().push(posted);
        }
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// One mail an SMTP receiver took.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent: headers and body.
    pub data: String,
}

/// An SMTP receiver on a loopback port (plain, as a relay on the same machine is).
pub struct Smtp {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl Smtp {
    pub fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let m = m.clone();
                std::thread::spawn(move || serve_smtp(stream, &m));
            }
        });
        Smtp { port, mails }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn serve_smtp(stream: TcpStream, mails: &Mutex<Vec<Mail>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let say = |out: &mut TcpStream, line: &str| out.write_all(format!("{line}\r\n").as_bytes());
    if say(&mut out, "220 localhost ESMTP test").is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250 localhost".to_string()
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_string();
            "250 OK".into()
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            "250 OK".into()
        } else if upper == "DATA" {
            if say(&mut out, "354 go ahead").is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(&l);
            }
            mails.lock().unwrap().push(Mail {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            "250 queued".into()
        } else if upper == "QUIT" {
            let _ = say(&mut out, "221 bye");
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK".into()
        } else {
            "502 not implemented".into()
        };
        if say(&mut out, &reply).is_err() {
            return;
        }
    }
}
