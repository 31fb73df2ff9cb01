// Plinth's token estimate (src/metering/token_count.cpp), so tests can check the simulator's
// and the gateway's counts exactly: a token is a run of up to four ASCII letters/digits, one
// other ASCII non-space character, or one non-ASCII code point; whitespace is free.

const isAlnum = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c) => c === 32 || c === 9 || c === 10 || c === 13;

export function countTokens(text) {
  let tokens = 0;
  let run = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c < 0x80 && isAlnum(c)) {
      run++;
      continue;
    }
    tokens += Math.ceil(run / 4);
    run = 0;
    if (!isSpace(c)) tokens++;
  }
  return tokens + Math.ceil(run / 4);
}
