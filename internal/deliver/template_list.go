package deliver

import (
	htmltemplate "html/template"
	texttemplate "text/template"
	"text/template/parse"
)

// credentialsField is the field that lists every credential of a message.
const credentialsField = "Credentials"

// mentionsCredentials says whether an override's text or HTML body (nil:
// absent) refers to .Credentials anywhere, in any template it defines. Such
// an override is written for messages with several accounts; one that never
// does shows the first account alone, and its channel sends one message per
// account.
func mentionsCredentials(text *texttemplate.Template, html *htmltemplate.Template) bool {
	var trees []*parse.Tree
	if text != nil {
		for _, t := range text.Templates() {
			trees = append(trees, t.Tree)
		}
	}
	if html != nil {
		for _, t := range html.Templates() {
			trees = append(trees, t.Tree)
		}
	}
	for _, tree := range trees {
		if tree != nil && mentions(tree.Root) {
			return true
		}
	}
	return false
}

// mentions walks node for .Credentials (a field, $.Credentials, or a
// chain's field).
func mentions(node parse.Node) bool {
	var parts []parse.Node
	switch n := node.(type) {
	case *parse.FieldNode:
		return len(n.Ident) > 0 && n.Ident[0] == credentialsField
	case *parse.VariableNode:
		return len(n.Ident) > 1 && n.Ident[1] == credentialsField
	case *parse.ChainNode:
		if len(n.Field) > 0 && n.Field[0] == credentialsField {
			return true
		}
		parts = []parse.Node{n.Node}
	case *parse.ListNode:
		if n != nil {
			parts = n.Nodes
		}
	case *parse.ActionNode:
		parts = []parse.Node{n.Pipe}
	case *parse.IfNode:
		parts = []parse.Node{n.Pipe, n.List, n.ElseList}
	case *parse.RangeNode:
		parts = []parse.Node{n.Pipe, n.List, n.ElseList}
	case *parse.WithNode:
		parts = []parse.Node{n.Pipe, n.List, n.ElseList}
	case *parse.TemplateNode:
		parts = []parse.Node{n.Pipe}
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				parts = append(parts, c)
			}
		}
	case *parse.CommandNode:
		parts = n.Args
	}
	for _, p := range parts {
		if !isNilNode(p) && mentions(p) {
			return true
		}
	}
	return false
}

// rangesOverCredentials says whether pipe is .Credentials (or
// $.Credentials) alone: a range over it runs at most MaxBatch times.
func rangesOverCredentials(pipe *parse.PipeNode) bool {
	if pipe == nil || len(pipe.Cmds) != 1 || len(pipe.Cmds[0].Args) != 1 {
		return false
	}
	switch n := pipe.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		return len(n.Ident) == 1 && n.Ident[0] == credentialsField
	case *parse.VariableNode:
		return len(n.Ident) == 2 && n.Ident[0] == "$" && n.Ident[1] == credentialsField
	}
	return false
}
