package authz

import (
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tPath // dotted identifier: org.apps.retail
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tLBrace
	tRBrace
	tBad
)

type token struct {
	kind tokKind
	text string // identifier, path, number text, or unquoted string value
	pos  int
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || ('0' <= c && c <= '9') || c == '-'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// lex splits src into tokens. A bad character or an unterminated string becomes
// a tBad token the parser reports.
func lex(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '{':
			toks = append(toks, token{tLBrace, "{", i})
			i++
		case c == '}':
			toks = append(toks, token{tRBrace, "}", i})
			i++
		case c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) && (src[i+1] == '"' || src[i+1] == '\\') {
					b.WriteByte(src[i+1])
					i += 2
					continue
				}
				if src[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return append(toks, token{tBad, "unterminated string", start})
			}
			toks = append(toks, token{tString, b.String(), start})
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			start := i
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			if i < len(src) && (isIdentStart(src[i]) || src[i] == '.') {
				return append(toks, token{tBad, strconv.Quote(src[start : i+1]), start})
			}
			toks = append(toks, token{tNumber, src[start:i], start})
		case isIdentStart(c):
			start := i
			kind := tIdent
			for {
				for i < len(src) && isIdentChar(src[i]) {
					i++
				}
				if i+1 < len(src) && src[i] == '.' && isIdentStart(src[i+1]) {
					kind = tPath
					i++
					continue
				}
				break
			}
			toks = append(toks, token{kind, src[start:i], start})
		default:
			r := src[i:]
			if len(r) > 1 {
				r = r[:1]
			}
			return append(toks, token{tBad, strconv.Quote(r), i})
		}
	}
	return append(toks, token{tEOF, "", len(src)})
}
