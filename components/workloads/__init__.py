"""The Pulumi components and the program that builds a stack from them."""
