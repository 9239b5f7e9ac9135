// The throughput benchmark's server: node's built-in `http`, keep-alive, nothing else.
//
// It answers the two routes the measured calls need, and does as little as it can for them, so that it is never
// what limits a row (run.py pins it to one core and reports its CPU share):
//
//   POST /api/auth/v1/access_tokens                   a password or refresh grant: a one-hour token (201)
//   GET  /api/v1/channels/{id}/relationships/streams  a JSON:API streams answer of about 1.5 KB (200)
//
// Any other request is a 404; a GET without the bearer this server issued is a 401, so a client that lost its
// header is noticed. `node server.js [port]` prints the URL it listens on as its first line (port 0: any free one).

"use strict";

const http = require("node:http");
const crypto = require("node:crypto");

const TOKEN = crypto.randomBytes(24).toString("base64url");
const REFRESH = crypto.randomBytes(24).toString("base64url");
const BEARER = `Bearer ${TOKEN}`;
const STREAMS_PREFIX = "/api/v1/channels/";
const STREAMS_SUFFIX = "/relationships/streams";

function stream(channel, profile, bitrate, resolution, segments, codec) {
  const url = `https://live.example.net/${channel}/${profile}/manifest.mpd?drm=widevine`;
  return {
    type: "PlayableStream",
    id: JSON.stringify({ stream_url: url, profile_name: profile }),
    attributes: {
      profile_name: profile,
      suggested_market_segments: segments,
      suggested_start_time: 0,
      suggested_devices: ["iOS", "Android", "Linux STB"],
      codec_info: codec,
      transport_protocol: "https",
      streaming_protocols: ["dash"],
      bitrate: bitrate,
      max_resolution: resolution,
      max_fps: "50",
      vbr_max_bitrate: Math.round(bitrate * 1.33),
      stream_url: url,
      protection_types: ["vualto"],
      protection_keys: [
        {
          type: "widevine",
          key: "e2b29456cc4818e96254bff04c62234e",
          laUrl: `https://drm.example.net/widevine/license?content_id=${channel}`,
          keySystem: "com.widevine.alpha",
        },
      ],
    },
  };
}

// Answers are made once per channel id and kept (ids are the client's, a bounded set in a benchmark).
const answers = new Map();
function streamsAnswer(channel) {
  let body = answers.get(channel);
  if (body === undefined) {
    const document = {
      data: [
        stream(channel, "hd", 6000000, "1080", ["fibre"], "avc1.640028,mp4a.40.2"),
        stream(channel, "sd", 1200000, "576", ["mobile"], "avc1.42c01e,mp4a.40.2"),
      ],
    };
    body = Buffer.from(JSON.stringify(document));
    if (answers.size < 100000) answers.set(channel, body);
  }
  return body;
}

function tokenAnswer() {
  const now = Math.floor(Date.now() / 1000);
  return Buffer.from(
    JSON.stringify({
      data: {
        type: "AccessToken",
        id: crypto.randomUUID(),
        attributes: {
          login_timestamp: now,
          user_id: "1001",
          user_profile_id: "p-1001-default",
          user_flags: [],
          access_token: TOKEN,
          expires_at_timestamp: now + 3600,
          refresh_token: REFRESH,
        },
      },
    }),
  );
}

function send(response, status, body) {
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": body.length,
  });
  response.end(body);
}

const NOT_FOUND = Buffer.from('{"errors":[{"status":"404","title":"Not Found"}]}');
const UNAUTHORIZED = Buffer.from('{"errors":[{"status":"401","title":"Unauthorized"}]}');

const server = http.createServer((request, response) => {
  const url = request.url;
  if (request.method === "GET" && url.startsWith(STREAMS_PREFIX)) {
    const end = url.indexOf(STREAMS_SUFFIX, STREAMS_PREFIX.length);
    if (end > STREAMS_PREFIX.length && request.headers.authorization === BEARER) {
      send(response, 200, streamsAnswer(url.slice(STREAMS_PREFIX.length, end)));
    } else {
      send(response, end > 0 ? 401 : 404, end > 0 ? UNAUTHORIZED : NOT_FOUND);
    }
    request.resume();
    return;
  }
  if (request.method === "POST" && url === "/api/auth/v1/access_tokens") {
    request.resume(); // the grant is not checked: every login succeeds
    request.on("end", () => send(response, 201, tokenAnswer()));
    return;
  }
  request.resume();
  send(response, 404, NOT_FOUND);
});

server.keepAliveTimeout = 60000;
server.headersTimeout = 65000;
server.maxRequestsPerSocket = 0;
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
