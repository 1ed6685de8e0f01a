// palm: a command for any Palm cluster (eval, job, certs). See PalmTool.
return await Palm.Tool.PalmTool.RunAsync(args);
